"""Conflicts on the phone, in Chromium at 360×640: the supervisor edits a case's incomes on the web
while the phone edits them offline; back online the case page shows the conflict with both values;
offline again the worker keeps their own (待同步 meanwhile); online the server's conflict is
resolved with that choice and the finances hold the worker's value. Re-saving the finances page
after a conflict settles it too, in the same flush. A conflict over two fields of a case is
settled offline with one choice per field: the worker's notes, the server's type."""

from __future__ import annotations

import json
import uuid
from contextlib import contextmanager

import pytest

from server.cases.tables import Case
from server.finances.tables import CaseFinances
from sync.tables import SyncConflict
from tests.e2e.conftest import run
from tests.e2e.phone import first_case_of, poll, synced_phone, wait_synced
from tests.e2e.test_casework_offline import field_ready, open_form, outbox, supervisor_context, supervisor_edits

pytestmark = pytest.mark.e2e


def finances_of(case_id: str) -> dict:
    row = run(CaseFinances.select(CaseFinances.data, CaseFinances.version).where(CaseFinances.case == case_id).first())
    return {"version": row["version"], **json.loads(row["data"])} if row else {"version": 0}


def conflicts_of(case_id: str) -> list[dict]:
    return run(SyncConflict.select(SyncConflict.conflict_id, SyncConflict.status, SyncConflict.resolution).where(SyncConflict.record_id == case_id).output(load_json=True))


def income(amount: str) -> list[dict]:
    return [{"member": "王伟", "kind": "wage", "amount": amount}]


def save_incomes_offline(page, base: str, case_id: str, amount: str, *, check=lambda page: None) -> None:
    """Offline, the worker changes the first income on the finances page and saves."""
    page.context.set_offline(True)
    open_form(page, base, "finances", case_id)
    check(page)
    page.fill("[name='incomes.0.amount']", amount)
    page.click("button:has-text('保存家庭经济状况')")
    page.wait_for_url(f"**/field/cases/{case_id}")


@contextmanager
def phone_with_a_conflict(playwright, browser, base: str, tmp_path):
    """The phone saves the incomes offline (2100.00) while the supervisor saves others on the web
    (1900.00), both from the same version; back online the push keeps a conflict.
    Yields (page, case id, conflict row); the phone is closed afterwards."""
    case_id = first_case_of("worker")
    supervisor_edits(browser, base, case_id, {"incomes": income("1000.00"), "base_version": finances_of(case_id)["version"]})
    with synced_phone(playwright, base, tmp_path) as (_, page):
        version = finances_of(case_id)["version"]
        save_incomes_offline(page, base, case_id, "2100.00")
        supervisor_edits(browser, base, case_id, {"incomes": income("1900.00"), "base_version": version})
        page.context.set_offline(False)
        wait_synced(page)
        assert [e[1] for e in outbox(page) if e[0] == "finances.set"][-1] == "conflict"
        [conflict] = conflicts_of(case_id)
        assert conflict["status"] == "open"
        # The outbox empties with the push; the conflict (and the server's incomes) come with the pull
        # after it, which the phone needs before it goes offline again.
        poll(page, f"""async () => {{ const {{ all }} = await import('/static/js/db.js');
            return (await all('records')).some((r) => r.type === 'conflict' && r.data.record_id === '{case_id}'); }}""")
        yield page, case_id, conflict


def queued_resolutions(page) -> list:
    return page.evaluate("""async () => { const { all } = await import('/static/js/db.js');
        return (await all('outbox')).filter((e) => e.name === 'conflict.resolve').map((e) => [e.state, e.args]); }""")


def test_worker_resolves_a_conflict_offline_on_the_case_page(live_server, playwright_instance, browser, demo, tmp_path):
    with phone_with_a_conflict(playwright_instance, browser, live_server, tmp_path) as (page, case_id, conflict):
        # Back online, the case page shows the conflict beside the case: the field and both values,
        # one choice per field (the server's value preselected, as on the supervisor's page).
        page.goto(f"{live_server}/field/cases/{case_id}")
        field_ready(page)
        item = page.locator(f"[data-conflicts] [data-conflict-id='{conflict['conflict_id']}']")
        item.wait_for()
        assert item.locator("[data-slot=kind]").inner_text() == "家庭经济状况"
        assert item.locator("legend").inner_text() == "收入"
        assert "2100.00" in item.locator("[data-field-side=device]").inner_text()
        server_side = item.locator("[data-field-side=server]").inner_text()
        assert "1900.00" in server_side and "工资性收入" in server_side and "wage" not in server_side  # the kind in words
        assert item.locator("[data-field-side=server] input").is_checked()
        heights = item.locator("label.choice, [type=submit]").evaluate_all("(nodes) => nodes.map((n) => n.getBoundingClientRect().height)")
        assert len(heights) == 3 and min(heights) >= 44
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        # Offline again, the worker keeps their own value: queued in the outbox, shown as 待同步
        # with the choice it holds.
        page.context.set_offline(True)
        item.locator("[data-field-side=device]").click()
        item.locator("button:has-text('按所选处理')").click()
        page.wait_for_selector(f"[data-conflict-id='{conflict['conflict_id']}'][data-state=pending] [data-slot=state]:has-text('待同步')")
        assert item.locator("[type=submit]").count() == 0
        assert item.locator("[data-field-side=device] input").is_checked() and item.locator("[data-field-side=device] input").is_disabled()
        assert queued_resolutions(page) == [["pending", {"conflict_id": conflict["conflict_id"], "choices": {"incomes": "device"}}]]
        assert conflicts_of(case_id)[0]["status"] == "open"

        # Online: the server's conflict is resolved with the worker's choice, the finances hold it,
        # and the phone's page no longer lists the conflict.
        page.context.set_offline(False)
        wait_synced(page)
        assert conflicts_of(case_id) == [{"conflict_id": conflict["conflict_id"], "status": "resolved", "resolution": {"incomes": "device"}}]
        assert finances_of(case_id)["incomes"][0]["amount"] == "2100.00"
        poll(page, "() => document.querySelector('[data-conflicts]').hidden")


def test_resaving_the_finances_after_a_conflict_settles_it_in_the_same_flush(live_server, playwright_instance, browser, demo, tmp_path):
    with phone_with_a_conflict(playwright_instance, browser, live_server, tmp_path) as (page, case_id, conflict):
        # The finances page marks the section and shows the server's value; saving again from it
        # queues the new save and the conflict's resolution (keeping the server's values) together.
        def shows_the_conflict(page) -> None:
            assert page.locator("[data-rows=incomes] > .field-error").inner_text().startswith("此部分与服务器上的修改冲突")
            assert page.locator("[name='incomes.0.amount']").input_value() == "1900.00"

        save_incomes_offline(page, live_server, case_id, "2050.00", check=shows_the_conflict)
        field_ready(page)
        page.wait_for_selector(f"[data-conflict-id='{conflict['conflict_id']}'] [data-slot=state]:has-text('待同步')")
        pending = [e[0] for e in outbox(page) if e[1] == "pending"]
        assert pending == ["finances.set", "conflict.resolve"]
        page.context.set_offline(False)
        wait_synced(page)
        assert conflicts_of(case_id) == [{"conflict_id": conflict["conflict_id"], "status": "resolved", "resolution": {"incomes": "server"}}]
        assert finances_of(case_id)["incomes"][0]["amount"] == "2050.00"
        open_form(page, live_server, "finances", case_id)
        assert page.locator("[data-rows=incomes] > .field-error").count() == 0


def push_as(context, base: str, client_id: str, name: str, args: dict, base_version: int) -> dict:
    """One mutation through the sync API with the context's session (as another install would)."""
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    body = {"client_id": client_id, "mutations": [{"id": 1, "name": name, "args": args, "base_version": base_version, "created_at": None}]}
    answer = context.request.post(f"{base}/api/sync/push", headers={"x-csrftoken": csrf}, data=body)
    assert answer.ok, answer.text()
    return answer.json()["results"][0]


def test_a_conflict_over_two_case_fields_is_settled_field_by_field_offline(live_server, playwright_instance, browser, demo, tmp_path):
    case_id = first_case_of("worker")
    version = run(Case.select(Case.version).where(Case.id == case_id).first())["version"]
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        supervisor = supervisor_context(browser, live_server)
        try:
            supervisor.request.get(f"{live_server}/review/")
            server = {"notes": "审核人员：已电话核实", "type": "temporary"}
            assert push_as(supervisor, live_server, str(uuid.uuid4()), "case.update", {"id": case_id, "changes": server}, version)["status"] == "applied"
        finally:
            supervisor.close()
        # The worker's other install (say a tablet) edited both fields from the same version.
        device = {"notes": "网格员：邻居证实", "type": "tekun"}
        assert push_as(context, live_server, str(uuid.uuid4()), "case.update", {"id": case_id, "changes": device}, version)["status"] == "conflict"
        [conflict] = conflicts_of(case_id)

        page.goto(f"{live_server}/field/cases/{case_id}")
        field_ready(page)
        item = page.locator(f"[data-conflicts] [data-conflict-id='{conflict['conflict_id']}']")
        item.wait_for()
        assert item.locator("[data-slot=kind]").inner_text() == "案件"
        assert sorted(item.locator("legend").all_inner_texts()) == sorted(["备注", "救助类型"])
        notes, kind = item.locator("[data-field=notes]"), item.locator("[data-field=type]")
        assert "网格员：邻居证实" in notes.locator("[data-field-side=device]").inner_text()
        assert "审核人员：已电话核实" in notes.locator("[data-field-side=server]").inner_text()
        assert kind.locator("[data-field-side=device]").inner_text().endswith("特困")  # the code in words
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        # Offline: the worker's notes, the server's type; one outbox entry holds both choices.
        page.context.set_offline(True)
        notes.locator("[data-field-side=device]").click()
        # Whatever the device stores meanwhile (a pull, a sync) draws the list again: the pick stays.
        item.evaluate("(li) => { li.dataset.drawn = 'before'; }")
        page.evaluate("document.dispatchEvent(new CustomEvent('doorstep:changed', { detail: { what: 'records' } }))")
        page.wait_for_selector(f"[data-conflict-id='{conflict['conflict_id']}']:not([data-drawn])")
        assert notes.locator("[data-field-side=device] input").is_checked() and kind.locator("[data-field-side=server] input").is_checked()
        item.locator("button:has-text('按所选处理')").click()
        page.wait_for_selector(f"[data-conflict-id='{conflict['conflict_id']}'][data-state=pending]")
        assert notes.locator("[data-field-side=device] input").is_checked() and kind.locator("[data-field-side=server] input").is_checked()
        assert queued_resolutions(page) == [["pending", {"conflict_id": conflict["conflict_id"], "choices": {"notes": "device", "type": "server"}}]]

        page.context.set_offline(False)
        wait_synced(page)
        poll(page, "() => document.querySelector('[data-conflicts]').hidden")
        assert conflicts_of(case_id) == [{"conflict_id": conflict["conflict_id"], "status": "resolved", "resolution": {"notes": "device", "type": "server"}}]
        assert run(Case.select(Case.notes, Case.type).where(Case.id == case_id).first()) == {"notes": "网格员：邻居证实", "type": "temporary"}
