"""A signature captured offline on a phone in Chromium and synced when the network returns."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta

import httpx
import pytest

from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import User
from server.paperwork.tables import Obligation, Signature
from tests.e2e.conftest import run
from tests.support.browser import phone_context
from tests.support.review_cases import make_case

pytestmark = pytest.mark.e2e


async def _session(username: str, kind: str) -> str:
    user = await User.select(User.id).where(User.username == username).first()
    return await create_session(user["id"], kind=kind)


def _api(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, cookies={COOKIE_NAME: run(_session(username, "desktop"))}, timeout=30)
    client.get("/")
    client.headers["x-csrftoken"] = client.cookies.get("csrftoken")
    return client


def _wait(condition, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}")


def _decided_obligation(base: str) -> dict:
    district, supervisor = _api(base, "district"), _api(base, "supervisor")
    try:
        body = {"starts_on": (date.today() - timedelta(days=10)).isoformat(), "spot_check_percent": 0}
        period = district.post("/api/procedures/emergency", json=body)
        assert period.status_code == 201, period.text
        made = run(make_case(name="何桂芳", address="天河区棠下村5号"))
        decided = supervisor.post(f"/api/review/cases/{made['case_id']}/decisions",
                                  json={"action": "approve", "expected_status": "submitted", "expected_version": 1})
        assert decided.status_code == 200, decided.text
        ended = district.post(f"/api/procedures/emergency/{period.json()['id']}/end", json={})
        assert ended.status_code == 200, ended.text
    finally:
        district.close()
        supervisor.close()
    rows = run(Obligation.select().where(Obligation.case == uuid.UUID(made["case_id"])).output(load_json=True))
    return next(r for r in rows if r["kind"] == "application")


def _draw(page) -> None:
    page.locator("[data-pad]").scroll_into_view_if_needed()
    box = page.locator("[data-pad]").bounding_box()
    x, y = box["x"] + 30, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(x + step * 20, y + (12 if step % 2 else -12), steps=3)
    page.mouse.up()


def test_signature_captured_offline_is_synced_when_online(live_server, browser, demo):
    obligation = _decided_obligation(live_server)
    context = phone_context(browser)
    context.add_cookies([{"name": COOKIE_NAME, "value": run(_session("worker", "field")), "url": live_server}])
    page = context.new_page()
    page.goto(f"{live_server}/field/paperwork")
    page.locator(f'[data-obligation="{obligation["id"]}"]').click()
    page.wait_for_selector("html[data-sign-ready]")
    assert obligation["document_sha256"] in page.inner_text("article")

    # The sync client keeps the signing page of every open obligation in the cache: it opens offline.
    _wait(lambda: page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r?.active?.state === 'activated')"), what="the service worker")
    page.reload()  # a page opened while the worker was installing is not yet controlled by it
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=30_000)
    url = f"/field/paperwork/{obligation['id']}"
    _wait(lambda: page.evaluate(f"caches.open('doorstep-pages').then((c) => c.match('{url}')).then(Boolean)"), what="the cached signing page")
    context.set_offline(True)
    page.goto(f"{live_server}{url}")
    page.wait_for_selector("html[data-sign-ready]")
    _draw(page)
    assert page.evaluate("document.querySelector('[data-pad]').signaturePad.isEmpty()") is False
    page.click("[data-pad-save]")
    page.wait_for_selector('[data-local-signatures] [data-entry-state="pending"]')
    assert "待同步" in page.inner_text(f'[data-signer="{obligation["signers"][0]["key"]}"]')
    assert run(Signature.count().where(Signature.obligation == obligation["id"])) == 0  # kept on the phone (offline)

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    _wait(lambda: run(Signature.count().where(Signature.obligation == obligation["id"])) == 1, what="the signature on the server")
    page.wait_for_selector('[data-local-signatures] [data-entry-state="done"]', timeout=30_000)
    stored = run(Signature.select().where(Signature.obligation == obligation["id"]).first())
    assert stored["document_sha256"] == obligation["document_sha256"] and bytes(stored["image"]).startswith(b"\x89PNG")
    assert run(Obligation.select(Obligation.status).where(Obligation.id == obligation["id"]).first())["status"] == "signed"
    context.close()
