"""A resolution on the phone whose device value would overwrite a server value changed again since
the conflict was recorded, in Chromium at 360×640: the server writes nothing and answers
`conflict`; the list shows the conflict again with the current value and the reason, and the
worker decides again (docs/sync.md, `conflict.resolve`)."""

from __future__ import annotations

import uuid

import pytest

from server.cases.tables import Case
from sync.tables import SyncConflict
from tests.e2e.conftest import run
from tests.e2e.phone import first_case_of, poll, synced_phone, wait_synced, wait_until
from tests.e2e.test_casework_offline import supervisor_context
from tests.e2e.test_conflict_english import both_edit, open_case, versions
from tests.e2e.test_conflict_on_phone import push_as, queued_resolutions

pytestmark = pytest.mark.e2e


def test_a_device_value_chosen_over_a_server_value_changed_since_is_decided_again(live_server, playwright_instance, browser, demo, tmp_path):
    case_id = first_case_of("worker")
    v = versions(case_id)
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        both_edit(browser, context, live_server, [
            ("case.update", {"id": case_id, "changes": {"notes": "审核人员：电话核实"}}, {"id": case_id, "changes": {"notes": "网格员：邻居证实"}}, v["case"]),
        ])
        [conflict] = run(SyncConflict.select(SyncConflict.conflict_id, SyncConflict.server_version).where(SyncConflict.record_id == case_id))
        conflict_id = conflict["conflict_id"]
        item = open_case(page, live_server, case_id, 1).first

        # Offline, the worker keeps their own notes.
        page.context.set_offline(True)
        item.locator("[data-field-side=device]").click()
        item.locator("button:has-text('按所选处理')").click()
        page.wait_for_selector(f"[data-conflict-id='{conflict_id}'][data-state=pending]")

        # Meanwhile the supervisor edits the notes again.
        supervisor = supervisor_context(browser, live_server)
        try:
            supervisor.request.get(f"{live_server}/review/")
            edit = {"id": case_id, "changes": {"notes": "审核人员：再次上门核实"}}
            assert push_as(supervisor, live_server, str(uuid.uuid4()), "case.update", edit, conflict["server_version"])["status"] == "applied"
        finally:
            supervisor.close()

        # Online: the server writes nothing and answers the conflict again, with the current value.
        page.context.set_offline(False)
        wait_synced(page)
        page.wait_for_selector(f"[data-conflict-id='{conflict_id}'][data-state=stale]")
        assert item.locator("[data-slot=reason]").inner_text() == "服务器上的值在冲突记录之后又改过，未采用设备的值；冲突已改为显示当前的值，请重新选择。"
        assert "审核人员：再次上门核实" in item.locator("[data-field-side=server]").inner_text()
        assert "网格员：邻居证实" in item.locator("[data-field-side=device]").inner_text()
        assert item.locator("[data-field-side=server] input").is_checked() and not item.locator("[data-field-side=device] input").is_disabled()
        assert run(Case.select(Case.notes).where(Case.id == case_id).first())["notes"] == "审核人员：再次上门核实"
        assert run(SyncConflict.select(SyncConflict.status).where(SyncConflict.conflict_id == conflict_id).first())["status"] == "open"

        # Having seen it, the worker keeps their own again: the answered entry is set aside, the new one applies.
        item.locator("[data-field-side=device]").click()
        item.locator("button:has-text('按所选处理')").click()
        # The new decision is queued after the answered one is set aside (two writes after the
        # click): until then nothing is pending, and wait_synced would return at once.
        wait_until(page, lambda: len(queued_resolutions(page)) == 2, lambda: queued_resolutions(page))
        wait_synced(page)
        poll(page, "() => document.querySelector('[data-conflicts]').hidden")
        assert run(Case.select(Case.notes).where(Case.id == case_id).first())["notes"] == "网格员：邻居证实"
        states = [state for state, _ in queued_resolutions(page)]
        assert states == ["discarded", "done"], states
