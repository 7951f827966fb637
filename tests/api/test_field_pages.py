"""The field pages and the service worker, as a browser fetches them."""

from __future__ import annotations

import re

from server.accounts.tables import User
from server.cases.tables import Case
from server.field import worker
from server.templating import STATIC_DIR
from tests.support.auth import sign_in


async def first_case_of(username: str) -> dict:
    user = await User.select(User.id).where(User.username == username).first()
    return await Case.select().where(Case.assigned_to == user["id"]).first()


async def test_caseload_without_session_is_refused(client, demo):
    response = await client.get("/field")
    assert response.status_code == 401


async def test_caseload_lists_only_cases_in_scope(client, demo):
    await sign_in(client, "worker")
    response = await client.get("/field")
    assert response.status_code == 200
    mine = await first_case_of("worker")
    other = await first_case_of("worker2")
    assert f"/field/cases/{mine['id']}" in response.text
    assert f"/field/cases/{other['id']}" not in response.text
    assert "data-local-cases" in response.text  # pending cases from the device render here


async def test_case_page_outside_scope_is_not_found(client, demo):
    await sign_in(client, "worker")
    other = await first_case_of("worker3")
    response = await client.get(f"/field/cases/{other['id']}")
    assert response.status_code == 404


async def test_case_page_shows_household_and_links_to_visit_form(client, demo):
    await sign_in(client, "worker")
    case = await first_case_of("worker")
    response = await client.get(f"/field/cases/{case['id']}")
    assert response.status_code == 200
    assert f"/field/visit?case={case['id']}" in response.text
    assert f"/field/capture?case={case['id']}" in response.text


async def test_visit_form_offers_the_four_modes_and_two_investigators(client, demo):
    await sign_in(client, "worker")
    response = await client.get("/field/visit")
    for mode in ("视频通话", "电话", "申请人自拍照片视频", "门外观察"):
        assert mode in response.text
    assert 'name="investigators.0"' in response.text and 'name="investigators.1"' in response.text
    assert 'data-offline="visit.record"' in response.text


async def test_shell_pages_open_without_session(client):
    for path in ("/field/offline", "/field/outbox", "/field/local"):
        response = await client.get(path)
        assert response.status_code == 200, path


async def test_service_worker_is_served_at_the_root_with_a_version(client):
    response = await client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    version = re.search(r'const VERSION = "([0-9a-f]{12})";', response.text)
    assert version, "the served worker carries a digest as its version"
    assert "doorstep-static-${VERSION}" in response.text


async def test_every_precached_url_answers(client):
    source = (STATIC_DIR / "sw.js").read_text()
    block = source[source.index("const PRECACHE") : source.index("];", source.index("const PRECACHE"))]
    urls = re.findall(r'"(/[^"]+)"', block)
    modules = re.search(r"\[(\"field\".*?)\]\.map", block).group(1)
    urls += [f"/static/js/{name}.js" for name in re.findall(r'"([\w-]+)"', modules)]
    assert "/field/offline" in urls and "/static/js/sync-client.js" in urls
    for url in urls:
        response = await client.get(url)
        assert response.status_code == 200, url


def test_service_worker_version_changes_with_a_static_file(tmp_path, monkeypatch):
    (tmp_path / "js").mkdir()
    script = tmp_path / "js" / "app.js"
    script.write_text("one")
    monkeypatch.setattr(worker, "_DIGESTED", ((tmp_path, ("js/*.js",)),))
    before = worker.static_digest()
    script.write_text("two")
    assert worker.static_digest() != before
