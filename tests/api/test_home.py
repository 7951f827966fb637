"""The web shell: home page, health, manifest, errors, language."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image

from tests.support.auth import sign_in

ROOT = Path(__file__).resolve().parents[2]


async def test_home_page_speaks_chinese_by_default(client):
    response = await client.get("/")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "非接触入户" in response.text
    assert 'hx-boost="true"' in response.text
    assert "/static/vendor/htmx-2.0.11.min.js" in response.text


async def test_home_page_speaks_english_when_the_browser_prefers_it(client):
    response = await client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in response.text
    assert "Sign in with a passkey" in response.text


async def test_language_switch_sets_a_cookie_that_wins_over_the_browser(client):
    response = await client.get("/lang/en?next=/", follow_redirects=False)
    assert response.status_code in (302, 303, 307)
    assert response.headers["location"] == "/"
    page = await client.get("/", headers={"accept-language": "zh-CN"})
    assert '<html lang="en">' in page.text


async def test_language_switch_refuses_to_redirect_off_site(client):
    response = await client.get("/lang/en?next=//evil.example/", follow_redirects=False)
    assert response.headers["location"] == "/"


async def test_signed_in_home_greets_the_user_with_role_and_area(client, demo):
    await sign_in(client, "worker")
    page = await client.get("/")
    assert "王网格" in page.text and "网格员" in page.text and "华师社区" in page.text


async def test_healthz_reports_the_database(client):
    response = await client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] in ("sqlite", "postgres")
    assert body["origin"] == "http://localhost:8000"


async def test_manifest_is_a_valid_installable_web_app_manifest(client):
    response = await client.get("/manifest.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["lang"] == "zh-CN" and "非接触入户" in manifest["name"]
    assert manifest["display"] == "standalone"
    assert manifest["start_url"].startswith("/")
    assert manifest["theme_color"].startswith("#")
    sizes = {}
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        served = await client.get(icon["src"])
        assert served.status_code == 200
        path = ROOT / "web" / icon["src"].lstrip("/")
        with Image.open(path) as image:
            assert f"{image.width}x{image.height}" == icon["sizes"]
        sizes.setdefault(icon["purpose"], set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= sizes["any"]
    assert "512x512" in sizes["maskable"]
    assert json.loads((ROOT / "manifest.json").read_text()) == manifest


async def test_unknown_api_path_answers_json_with_a_reason(client):
    response = await client.get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {"error": "not_found", "reason": "找不到该页面或记录。"}


async def test_unknown_page_answers_a_full_chinese_error_page(client):
    response = await client.get("/no-such-page")
    assert response.status_code == 404
    assert "<html" in response.text and "找不到该页面或记录" in response.text


async def test_unknown_page_answers_a_partial_to_htmx(client):
    response = await client.get("/no-such-page", headers={"HX-Request": "true"})
    assert response.status_code == 404
    assert "<html" not in response.text
    assert 'role="alert"' in response.text
    assert response.headers["vary"] == "HX-Request"



async def test_home_links_each_role_to_its_work(client, demo):
    await sign_in(client, "worker")
    worker_home = (await client.get("/")).text
    assert 'href="/field"' in worker_home and 'href="/field/daily"' in worker_home
    assert 'href="/review"' not in worker_home
    for username in ("supervisor", "district", "admin"):
        await sign_in(client, username)
        page = (await client.get("/")).text
        assert 'href="/review"' in page and 'href="/dashboards"' in page and 'href="/paperwork"' in page
        assert ('href="/review/audit"' in page) == (username != "supervisor")
        for link in ("/review", "/dashboards", "/paperwork", "/people"):
            assert (await client.get(link)).status_code == 200, link
