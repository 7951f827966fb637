"""A supervisor in Chromium: queue → case by keyboard → each decision without reload (approve,
reject with a reason, return, assign); a stale one refused."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.tables import Case
from server.review.tables import Decision
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


def open_case(context, base: str, case_id: str):
    page = context.new_page()
    page.goto(f"{base}/review/cases/{case_id}")
    page.locator("#decision-panel").wait_for()
    page.evaluate("window.__noReload = true")
    return page


def test_supervisor_approves_only_after_confirming_the_home_visit(live_server, browser, demo):
    made = run(make_case(name="批准甲"))
    context = signed_in_context(browser, live_server, "supervisor")
    page = open_case(context, live_server, made["case_id"])
    approve = page.locator("form[data-action=approve]")
    approve.locator("button[type=submit]").click()
    refusal = page.locator("#decision-panel .alert.error")
    refusal.wait_for()
    assert "入户调查" in refusal.inner_text()
    assert page.locator("#decision-panel").get_attribute("data-status") == "submitted"
    page.locator("form[data-action=approve] input[name=in_person_confirmed]").check()
    page.locator("form[data-action=approve] button[type=submit]").click()
    page.locator("#decision-panel .alert.ok").wait_for()
    assert page.locator("#decision-panel").get_attribute("data-status") == "publicizing"
    assert page.evaluate("window.__noReload") is True
    assert run(Case.select(Case.status).where(Case.id == made["case_id"]).first())["status"] == "publicizing"
    context.close()


def test_supervisor_rejects_with_a_reason_from_the_list_and_a_note(live_server, browser, demo):
    made = run(make_case(name="不批乙"))
    context = signed_in_context(browser, live_server, "supervisor")
    page = open_case(context, live_server, made["case_id"])
    reject = page.locator("form[data-action=reject]")
    reject.locator("button[type=submit]").click()  # no reason chosen: the browser keeps the form
    assert reject.locator("select[name=reason_code]").evaluate("s => s.validity.valueMissing") is True
    assert page.locator("#decision-panel").get_attribute("data-status") == "submitted"
    reject.locator("select[name=reason_code]").select_option("income_over")
    reject.locator("textarea[name=reason_text]").fill("人均收入 1500 元，高于当地标准")
    reject.locator("button[type=submit]").click()
    page.locator("#decision-panel .alert.ok").wait_for()
    assert page.locator("#decision-panel").get_attribute("data-status") == "rejected"
    assert page.evaluate("window.__noReload") is True
    decision = run(Decision.select().where(Decision.case == made["case_id"]).first())
    assert (decision["action"], decision["reason_code"], decision["reason_text"]) == ("reject", "income_over", "人均收入 1500 元，高于当地标准")
    context.close()


def test_supervisor_assigns_the_case_to_another_worker_of_its_community(live_server, browser, demo):
    made = run(make_case(name="改派丙"))
    area = run(Area.select(Area.id).where(Area.code == "440106004001").first())
    helper = User(username="worker_b", display_name="周网格", role="grid_worker", area=area["id"], created_at=datetime.now(timezone.utc))
    run(helper.save())
    context = signed_in_context(browser, live_server, "supervisor")
    page = open_case(context, live_server, made["case_id"])
    assign = page.locator("form[data-action=assign]")
    assign.locator("select[name=assignee]").select_option(label="周网格 · 华师社区")
    assign.locator("button[type=submit]").click()
    page.locator("#decision-panel .alert.ok").wait_for()
    assert page.evaluate("window.__noReload") is True
    assert page.locator("#decision-panel").get_attribute("data-version") == "2"
    row = run(Case.select(Case.assigned_to, Case.status).where(Case.id == made["case_id"]).first())
    assert (row["assigned_to"], row["status"]) == (helper.id, "submitted")
    context.close()
