"""Casework pages in Chromium: an admin adds a standard with HTMX (errors beside the field, no
reload), and a supervisor recomputes a case's eligibility in place."""

from __future__ import annotations

import pytest

from server.cases.tables import Case
from server.finances.tables import CaseFinances
from tests.e2e.conftest import run
from tests.e2e.test_review import signed_in_context

pytestmark = pytest.mark.e2e


def test_admin_adds_a_standard_and_sees_the_error_beside_the_field_without_reload(live_server, browser, demo):
    context = signed_in_context(browser, live_server, "admin")
    page = context.new_page()
    page.goto(f"{live_server}/casework/standards")
    assert "1120.00" in page.locator("#standards table").inner_text()
    page.evaluate("window.__noReload = true")
    page.locator("#area").select_option("440111")
    page.locator("#effective_from").fill("2022-03-01")
    page.locator("#dibao_standard").fill("11a0")
    page.locator("#standards button[type=submit]").click()
    error = page.locator("#dibao_standard-error")
    error.wait_for()
    assert "金额格式不正确" in error.inner_text()
    assert page.evaluate("window.__noReload") is True
    page.locator("#dibao_standard").fill("1130")
    page.locator("#effective_from").fill("2022-03-01")
    page.locator("#standards button[type=submit]").click()
    page.locator("#standards td", has_text="1130.00").wait_for()
    assert page.evaluate("window.__noReload") is True
    context.close()


def test_supervisor_recomputes_eligibility_in_place_after_the_finances_change(live_server, browser, demo):
    case = run(Case.select(Case.id).where((Case.type == "dibao") & (Case.area.code == "440106004001")).first())
    context = signed_in_context(browser, live_server, "supervisor")
    page = context.new_page()
    page.goto(f"{live_server}/casework/cases/{case['id']}/eligibility")
    page.locator("#eligibility").wait_for()
    page.evaluate("window.__noReload = true")
    run(CaseFinances.update({CaseFinances.data: '{"assets": [], "incomes": []}', CaseFinances.version: 9}).where(CaseFinances.case == case["id"]))
    page.locator("#eligibility a.button").click()
    page.locator("#eligibility", has_text="经济状况版本 9").wait_for()
    assert page.locator("#eligibility").get_attribute("data-outcome") == "eligible"
    assert "家庭人均月收入" in page.locator("#eligibility table").inner_text()
    assert page.evaluate("window.__noReload") is True
    context.close()
