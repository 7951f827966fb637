"""The phone's conflict list in English, in Chromium at 360×640: after the worker switches the
language, a conflict of each kind (a case's type, a household's registration, the 特困 checklist and
the 临时救助 section of the finances) is named with the server's words (kinds, fields, codes and the daily
activities' answers from server/sync_api/conflict_words.py, handed to every field page), and no
Chinese is left in the list, its punctuation neither."""

from __future__ import annotations

import re
import uuid

import pytest

from server.cases.tables import Case
from server.finances.tables import CaseFinances
from server.households.tables import Household
from tests.e2e.conftest import run
from tests.e2e.phone import field_ready as page_ready
from tests.e2e.phone import first_case_of, poll, synced_phone
from tests.e2e.test_casework_offline import field_ready, supervisor_context
from tests.e2e.test_conflict_on_phone import push_as

pytestmark = pytest.mark.e2e

CHINESE = re.compile(r"[\u3400-\u9fff]")
# Some English words keep the Chinese term they translate in brackets ("Expense-driven (支出型)"):
# those glosses are the catalogue's own and are not left-over Chinese.
GLOSS = re.compile(r"\([^()]*\)")


def versions(case_id: str) -> dict:
    case = run(Case.select(Case.version, Case.household).where(Case.id == case_id).first())
    household = run(Household.select(Household.version).where(Household.id == case["household"]).first())
    finances = run(CaseFinances.select(CaseFinances.version).where(CaseFinances.case == case_id).first())
    return {"case": case["version"], "household": household["version"], "household_id": str(case["household"]),
            "finances": finances["version"] if finances else 0}


def both_edit(browser, context, base: str, mutations: list[tuple[str, dict, dict, int]]) -> None:
    """For each (name, the supervisor's args, the worker's other install's args, base version): the
    supervisor's edit applies, the worker's from the same version answers conflict."""
    supervisor = supervisor_context(browser, base)
    try:
        supervisor.request.get(f"{base}/review/")
        for name, theirs, _, version in mutations:
            assert push_as(supervisor, base, str(uuid.uuid4()), name, theirs, version)["status"] == "applied"
    finally:
        supervisor.close()
    for name, _, ours, version in mutations:
        assert push_as(context, base, str(uuid.uuid4()), name, ours, version)["status"] == "conflict"


def open_case(page, base: str, case_id: str, count: int):
    page.goto(f"{base}/field/cases/{case_id}")
    field_ready(page)
    items = page.locator("[data-conflicts] [data-conflict-id]")
    poll(page, f"() => document.querySelectorAll('[data-conflicts] [data-conflict-id]').length === {count}")
    return items


def test_conflict_list_speaks_english_with_the_servers_words(live_server, playwright_instance, browser, demo, tmp_path):
    case_id = first_case_of("worker")
    v = versions(case_id)
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):  # a Chinese phone
        page.get_by_role("link", name="English").click()  # the worker switches the language
        page.wait_for_url(f"{live_server}/field")
        page_ready(page)
        assert page.locator("html").get_attribute("lang") == "en"

        # A conflict of each kind: the case's type, the household's registration, and the 特困
        # checklist and the 临时救助 section of the finances.
        tekun = lambda supporters, eating: {"supporters": supporters, "daily_activities": {"eating": eating}}  # noqa: E731
        temporary = lambda kind, severity: {"kind": kind, "severity": severity, "reason": "Lost work in the lockdown"}  # noqa: E731
        both_edit(browser, context, live_server, [
            ("case.update", {"id": case_id, "changes": {"type": "temporary"}}, {"id": case_id, "changes": {"type": "tekun"}}, v["case"]),
            ("household.upsert", {"id": v["household_id"], "hukou_type": "local_rural"}, {"id": v["household_id"], "hukou_type": "non_local"}, v["household"]),
            ("finances.set", {"case_id": case_id, "tekun": tekun("unable", True), "temporary": temporary("urgent", "general")},
             {"case_id": case_id, "tekun": tekun("none", False), "temporary": temporary("expense", "critical")}, v["finances"]),
        ])

        items = open_case(page, live_server, case_id, 3)
        listed = {items.nth(i).locator("[data-slot=kind]").inner_text(): items.nth(i) for i in range(3)}
        assert sorted(listed) == ["Case", "Household", "Household finances"]
        case, household, finances = listed["Case"], listed["Household"], listed["Household finances"]
        assert case.locator("legend").all_inner_texts() == ["Kind of assistance"]
        assert "Extreme-poverty support (tekun)" in case.locator("[data-field-side=device]").inner_text()
        assert "Temporary assistance" in case.locator("[data-field-side=server]").inner_text()
        assert household.locator("legend").all_inner_texts() == ["Household registration type"]
        assert "Local rural registration" in household.locator("[data-field-side=server]").inner_text()
        assert sorted(finances.locator("legend").all_inner_texts()) == sorted(["Extreme poverty (tekun) assessment", "Temporary assistance"])
        # The daily activities by name with their answers, after the side's name and an English colon.
        # (the checklist's keys come in the order the database keeps them: both orders are right).
        tekun_device = finances.locator("[data-field=tekun] [data-field-side=device]").inner_text().strip()
        assert tekun_device in ("Device's value: No legal supporter Eating: Cannot", "Device's value: Eating: Cannot No legal supporter"), tekun_device
        tekun_server = finances.locator("[data-field=tekun] [data-field-side=server]").inner_text().strip()
        assert tekun_server in ("Server's value: Supporters unable to support Eating: Can", "Server's value: Eating: Can Supporters unable to support"), tekun_server
        temporary_device = finances.locator("[data-field=temporary] [data-field-side=device]").inner_text()
        assert "Expense-driven" in temporary_device and "Critical" in temporary_device

        text = page.locator("[data-conflicts]").inner_text()
        for code in ("tekun", "temporary", "local_rural", "non_local", "urgent", "expense", "critical", "general", "none"):
            assert not re.search(rf"(?<![(\w]){code}(?![\w)])", text), code  # no code left as stored (words are capitalised)
        assert not CHINESE.search(GLOSS.sub("", text)), text
        assert not re.search("[：，；、（）]", text), text  # no Chinese punctuation glued to the English either
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
