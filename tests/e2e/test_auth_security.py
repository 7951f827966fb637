"""Security properties observed from a real browser: CSRF, scope, replayed and expired challenges."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from server.accounts.invitations import create_invitation
from server.accounts.tables import WebAuthnChallenge
from server.areas.tables import Area
from server.clock import now
from server.households.tables import Household
from tests.e2e.conftest import run
from tests.support.browser import enrolled_page

pytestmark = pytest.mark.e2e


def _worker_link(live_server: str) -> str:
    token, _ = run(create_invitation(display_name="陈芳", role="grid_worker", area_code="440106004001", username="chen.fang"))
    return f"{live_server}/enroll/{token}"


def _household_of(code: str) -> str:
    area = run(Area.select(Area.id).where(Area.code == code).first())
    return str(run(Household.select(Household.id).where(Household.area == area["id"]).first())["id"])


def test_worker_of_community_a_gets_404_for_a_household_of_community_b(live_server, browser, demo):
    context, page, _ = enrolled_page(browser, _worker_link(live_server))
    own = page.request.get(f"{live_server}/api/households/{_household_of('440106004001')}")
    assert own.status == 200 and own.json()["area"]["code"] == "440106004001"
    other = page.request.get(f"{live_server}/api/households/{_household_of('440106004002')}")
    assert other.status == 404
    assert other.json()["error"] == "not_found"
    context.close()


def test_form_post_without_csrf_token_is_refused(live_server, browser, demo):
    context, page, _ = enrolled_page(browser, _worker_link(live_server), phone=False)
    # A same-origin form without the _csrf_token field (and no header): the session cookie goes along.
    page.evaluate(
        """() => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = "/signout";
            form.innerHTML = '<button id="naked-post">go</button>';
            document.body.append(form);
        }"""
    )
    with page.expect_navigation():
        page.locator("#naked-post").click()
    assert page.url.endswith("/signout")
    assert "403" in page.content()
    page.goto(live_server)
    assert "陈芳" in page.locator("header").inner_text()  # still signed in
    context.close()


def test_replayed_sign_in_answer_is_refused(live_server, browser, demo):
    context, page, _ = enrolled_page(browser, _worker_link(live_server), phone=False)
    page.goto(f"{live_server}/signin")
    # Run the ceremony in the page, then send the same signed answer twice.
    results = page.evaluate(
        """async () => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const post = (url, body) => fetch(url, {method: "POST", headers: {"content-type": "application/json", "x-csrftoken": csrf}, body: JSON.stringify(body)});
            const options = await (await post("/auth/login/options", {})).json();
            const credential = await navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options)});
            const answer = credential.toJSON();
            const first = await post("/auth/login/verify", answer);
            const second = await post("/auth/login/verify", answer);
            return [first.status, second.status, await second.text()];
        }"""
    )
    assert results[0] == 200
    assert results[1] == 400
    assert "已被使用" in json.loads(results[2])["reason"]
    context.close()


def test_expired_sign_in_challenge_is_refused(live_server, browser, demo):
    context, page, _ = enrolled_page(browser, _worker_link(live_server), phone=False)
    page.goto(f"{live_server}/signin")
    page.evaluate(
        """async () => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            window.post = (url, body) => fetch(url, {method: "POST", headers: {"content-type": "application/json", "x-csrftoken": csrf}, body: JSON.stringify(body)});
            window.options = await (await window.post("/auth/login/options", {})).json();
        }"""
    )
    # Five minutes pass (the challenge's lifetime) before the person touches the sensor.
    run(WebAuthnChallenge.update({WebAuthnChallenge.expires_at: now() - timedelta(seconds=1)}).where(WebAuthnChallenge.id > 0))
    status, text = page.evaluate(
        """async () => {
            const credential = await navigator.credentials.get({publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(window.options)});
            const answer = await window.post("/auth/login/verify", credential.toJSON());
            return [answer.status, await answer.text()];
        }"""
    )
    assert status == 400
    assert "已过期" in json.loads(text)["reason"]
    context.close()
