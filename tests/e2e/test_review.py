"""A supervisor in Chromium: queue → case by keyboard → a decision without reload; a stale one refused."""

from __future__ import annotations

import pytest

from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import User
from tests.e2e.conftest import run
from tests.support.review_cases import make_case

pytestmark = pytest.mark.e2e


def signed_in_context(browser, base: str, username: str):
    """A desktop context carrying a session cookie for `username` (the passkey ceremony is
    covered by the passkey tests; here the subject is review)."""
    user = run(User.select(User.id).where(User.username == username).first())
    token = run(create_session(user["id"], kind="desktop"))
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": base}])
    return context


def test_supervisor_decides_from_queue_without_reload_and_stale_decision_is_refused(live_server, browser, demo):
    made = run(make_case(name="浏览器甲"))
    context = signed_in_context(browser, live_server, "supervisor")
    page = context.new_page()
    page.goto(f"{live_server}/review/?q=浏览器甲")
    page.locator("tr.queue-row").first.wait_for()
    page.keyboard.press("j")
    assert page.locator("tr.queue-row.selected").get_attribute("data-case") == made["case_id"]
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/review/cases/{made['case_id']}")
    page.locator("#decision-panel").wait_for()

    # A second tab opens the same case before the first one decides: it will be stale.
    stale = context.new_page()
    stale.goto(f"{live_server}/review/cases/{made['case_id']}")

    page.evaluate("window.__noReload = true")
    page.locator("form[data-action=return] textarea[name=request]").fill("请补充: 厨房照片")
    page.locator("form[data-action=return] button[type=submit]").click()
    page.locator("#decision-panel .alert.ok").wait_for()
    assert page.evaluate("window.__noReload") is True
    assert page.locator("#decision-panel").get_attribute("data-status") == "returned"
    assert "任务已发送到网格员手机" in page.locator("#decision-panel").inner_text()

    stale.evaluate("window.__noReload = true")
    stale.locator("form[data-action=reject] select[name=reason_code]").select_option("income_over")
    stale.locator("form[data-action=reject] button[type=submit]").click()
    refusal = stale.locator("#decision-panel .alert.error")
    refusal.wait_for()
    assert "决定未执行" in refusal.inner_text()
    assert stale.evaluate("window.__noReload") is True
    assert stale.locator("#decision-panel").get_attribute("data-status") == "returned"
    context.close()
