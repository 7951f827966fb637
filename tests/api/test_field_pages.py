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
    block = source[source.index("const SHELL_PAGES") : source.index("];", source.index("const PRECACHE"))]
    urls = re.findall(r'"(/[^"]+)"', block)
    modules = re.search(r"\[(\"field\".*?)\]\.map", block).group(1)
    urls += [f"/static/js/{name}.js" for name in re.findall(r'"([\w-]+)"', modules)]
    assert "/field/offline" in urls and "/static/js/sync-client.js" in urls and "/i18n/en.json" in urls
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


def test_service_worker_version_covers_what_the_phone_words_are_made_of():
    """/i18n/<locale>.json, which the worker precaches, is built from the catalogue and from the
    list of the phone's and the server's words: a change to either must give phones a new worker."""
    digested = {path for root, patterns in worker._DIGESTED for pattern in patterns for path in root.glob(pattern)}
    assert worker.LOCALES_DIR / "field-words.json" in digested
    assert worker.LOCALES_DIR / "en" / "LC_MESSAGES" / "messages.mo" in digested


async def test_plain_form_posts_create_household_case_and_visit(client, demo):
    """Without the page's JavaScript the forms still work online, through the same mutations."""
    from server.households.idnumber import check_character
    from server.households.tables import Household
    from server.visits.tables import Visit

    await sign_in(client, "worker")
    applicant = "44010619500315002" + check_character("44010619500315002")
    response = await client.post("/field/forms/household.upsert", data={
        "id": "", "area": "440106004001", "address": "中山大道 8 号", "contact_phone": "",
        "members.0.name": "周秀英", "members.0.id_number": applicant, "members.0.relation": "self",
        "members.1.name": "", "members.1.id_number": "", "members.1.relation": "spouse",
        "_next": "/field/casework/new?household={id}", "_csrf_token": client.headers["x-csrftoken"],
    }, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/field/casework/new?household=")
    household_id = response.headers["location"].split("household=")[1]
    assert (await Household.select(Household.address).where(Household.id == household_id).first())["address"] == "中山大道 8 号"

    response = await client.post("/field/forms/case.create", data={"id": "", "household_id": household_id, "type": "dibao", "procedure": "emergency", "notes": "", "_next": "/field/cases/{id}"}, follow_redirects=False)
    assert response.status_code == 303
    case_id = response.headers["location"].rsplit("/", 1)[1]

    response = await client.post("/field/forms/visit.record", data={
        "id": "", "case_id": case_id, "mode": "outside_observation", "investigators.0": "王网格", "investigators.1": "赵社工",
        "visited_at": "2026-05-23T09:14", "members_situation": "独居", "notes": "", "_next": "/field/cases/{case_id}",
    }, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/field/cases/{case_id}"
    visit = await Visit.select().where(Visit.case == case_id).first()
    assert visit["mode"] == "outside_observation"
    assert visit["visited_at"].isoformat().startswith("2026-05-23T01:14:00")  # Beijing time


async def test_plain_form_post_refused_shows_the_reason(client, demo):
    await sign_in(client, "worker")
    case = await first_case_of("worker")
    response = await client.post("/field/forms/visit.record", data={
        "case_id": str(case["id"]), "mode": "phone", "investigators.0": "王网格", "investigators.1": "王网格", "visited_at": "2026-05-23T09:14",
    })
    assert response.status_code == 400
    assert "两名调查人员不能是同一人" in response.text


async def test_household_form_goes_on_to_the_per_type_new_case_page(client, demo):
    await sign_in(client, "worker")
    page = (await client.get("/field/households/new")).text
    assert 'data-next="/field/casework/new?household={id}"' in page
    assert 'name="_next" value="/field/casework/new?household={id}"' in page
    assert "/field/cases/new" not in page


async def test_old_new_case_address_redirects_to_the_per_type_page_keeping_the_household(client):
    """A bookmark of the old form, signed in or not: the per-type page, with the household and type kept."""
    for query, target in (
        ("", "/field/casework/new"),
        ("?household=0b6f3c1e-0000-4000-8000-000000000001", "/field/casework/new?household=0b6f3c1e-0000-4000-8000-000000000001"),
        ("?type=tekun&household=h%261&other=x", "/field/casework/new?type=tekun&household=h%261"),
    ):
        response = await client.get(f"/field/cases/new{query}", follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (308, target)
