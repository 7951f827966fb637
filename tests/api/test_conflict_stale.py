"""A device value chosen over a server value that changed again after the conflict was recorded is
never written: every path that settles a conflict (the supervisor's case page, the online API, the
phone's `conflict.resolve`) refuses it with the reason, and the conflict, still open, shows the
current value so that the person decides again."""

from __future__ import annotations

import json

import pytest

from server.audit.tables import AuditEvent
from server.cases.tables import Case
from server.finances.tables import CaseFinances
from server.households.tables import Household
from sync.tables import SyncConflict
from tests.api.test_conflict_resolution_paths import PATHS, resolve
from tests.support.casework import Device, signed_device

STALE_REASON = "服务器上的值在冲突记录之后又改过，未采用设备的值；冲突已改为显示当前的值，请重新选择。"


async def notes_conflict(client) -> tuple[Device, Device, str, dict]:
    """Worker and supervisor both change a case's notes from version 1: a conflict (server 甲, device 乙)."""
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    supervisor = Device(client, "supervisor")
    await supervisor.apply("case.update", {"id": case_id, "changes": {"notes": "甲：电话核实"}}, base_version=1)
    answer = await worker.push("case.update", {"id": case_id, "changes": {"notes": "乙：邻居证实"}}, base_version=1)
    assert answer["status"] == "conflict", answer
    return worker, supervisor, case_id, answer["conflict"]


async def case_row(case_id: str) -> dict:
    return await Case.select(Case.notes, Case.procedure, Case.version).where(Case.id == case_id).first()


async def conflict_row(conflict_id: str) -> dict:
    return await SyncConflict.select(SyncConflict.status, SyncConflict.fields, SyncConflict.server_version).where(
        SyncConflict.conflict_id == conflict_id).output(load_json=True).first()


async def resolution_events(conflict_id: str) -> int:
    return await AuditEvent.count().where((AuditEvent.target_id == conflict_id) & (AuditEvent.action == "case.conflict_resolve"))


@pytest.mark.parametrize("path", PATHS)
async def test_device_value_over_a_server_value_changed_since_is_refused_and_shows_the_current_value(client, demo, path):
    worker, supervisor, case_id, conflict = await notes_conflict(client)
    # The supervisor edits the notes again after the conflict was recorded.
    await supervisor.apply("case.update", {"id": case_id, "changes": {"notes": "丙：再次核实"}}, base_version=conflict["server_version"])
    changed = await case_row(case_id)

    status, answer = await resolve(client, worker, path, case_id, conflict["id"], {"notes": "device"})

    if path == "review":
        assert status == 409 and 'data-error="conflict_stale"' in answer and STALE_REASON in answer
        panel = answer[answer.index(f'data-conflict="{conflict["id"]}"'):]
        assert "丙：再次核实" in panel and "乙：邻居证实" in panel and "甲：电话核实" not in panel
    elif path == "api":
        assert status == 409 and answer["error"] == "conflict_stale" and answer["reason"] == STALE_REASON and answer["field"] == "choices"
        assert answer["stale"] == ["notes"] and answer["conflict"]["status"] == "open"
        assert answer["conflict"]["fields"]["notes"] == {"server": "丙：再次核实", "device": "乙：邻居证实"}
    else:
        assert answer["status"] == "conflict", answer
        assert answer["result"]["stale"] == ["notes"] and answer["result"]["reason"] == STALE_REASON
        assert answer["conflict"]["fields"]["notes"] == {"server": "丙：再次核实", "device": "乙：邻居证实"}
    assert await case_row(case_id) == changed  # nothing overwritten
    row = await conflict_row(conflict["id"])
    assert row["status"] == "open" and row["server_version"] == changed["version"]
    assert row["fields"]["notes"] == {"server": "丙：再次核实", "device": "乙：邻居证实"}
    assert await resolution_events(conflict["id"]) == 0

    # The worker sees the conflict again, with the current value, through the pull too.
    pulled = (await worker.get("/api/sync/pull")).json()
    record = [c["data"] for c in pulled["changes"] if c["kind"] == "conflict" and c["id"] == conflict["id"]]
    assert record and record[0]["fields"]["notes"]["server"] == "丙：再次核实"

    # Having seen it, the person decides again: the device's value now applies.
    status, answer = await resolve(client, worker, path, case_id, conflict["id"], {"notes": "device"})
    assert status == 200 and (path != "outbox" or answer["status"] == "applied"), answer
    assert (await case_row(case_id))["notes"] == "乙：邻居证实"
    assert await resolution_events(conflict["id"]) == 1


async def test_a_change_to_another_field_since_does_not_stop_the_device_value(client, demo):
    worker, supervisor, case_id, conflict = await notes_conflict(client)
    await supervisor.apply("case.update", {"id": case_id, "changes": {"procedure": "emergency"}}, base_version=conflict["server_version"])
    response = await worker.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "device"}})
    assert response.status_code == 200, response.text
    assert await case_row(case_id) == {"notes": "乙：邻居证实", "procedure": "emergency", "version": conflict["server_version"] + 2}


async def test_keeping_the_server_value_after_it_changed_keeps_the_current_one(client, demo):
    worker, supervisor, case_id, conflict = await notes_conflict(client)
    await supervisor.apply("case.update", {"id": case_id, "changes": {"notes": "丙：再次核实"}}, base_version=conflict["server_version"])
    response = await worker.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "server"}})
    assert response.status_code == 200, response.text
    assert (await case_row(case_id))["notes"] == "丙：再次核实" and (await conflict_row(conflict["id"]))["status"] == "resolved"


async def test_a_stale_household_value_is_refused_too(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    household_id = str((await Case.select(Case.household).where(Case.id == case_id).first())["household"])
    supervisor = Device(client, "supervisor")
    await supervisor.apply("household.upsert", {"id": household_id, "address": "石牌东路8号3栋301房"}, base_version=1)
    answer = await worker.push("household.upsert", {"id": household_id, "address": "石牌东路8号3栋302房"}, base_version=1)
    assert answer["status"] == "conflict", answer
    conflict = answer["conflict"]
    await supervisor.apply("household.upsert", {"id": household_id, "address": "石牌东路8号3栋303房"}, base_version=conflict["server_version"])
    response = await worker.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"address": "device"}})
    assert response.status_code == 409 and response.json()["error"] == "conflict_stale", response.text
    assert response.json()["conflict"]["fields"]["address"] == {"server": "石牌东路8号3栋303房", "device": "石牌东路8号3栋302房"}
    assert (await Household.select(Household.address).where(Household.id == household_id).first())["address"] == "石牌东路8号3栋303房"


async def test_a_stale_finances_section_is_refused_too(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    supervisor = Device(client, "supervisor")
    wage = lambda amount: [{"member": "王伟", "kind": "wage", "amount": amount}]  # noqa: E731
    await worker.apply("finances.set", {"case_id": case_id, "incomes": wage("1000.00")})
    await supervisor.apply("finances.set", {"case_id": case_id, "incomes": wage("1200.00")}, base_version=1)
    answer = await worker.push("finances.set", {"case_id": case_id, "incomes": wage("900.00")}, base_version=1)
    assert answer["status"] == "conflict", answer
    conflict = answer["conflict"]
    await supervisor.apply("finances.set", {"case_id": case_id, "incomes": wage("1500.00")}, base_version=conflict["server_version"])
    refused = await worker.push("conflict.resolve", {"conflict_id": conflict["id"], "choices": {"incomes": "device"}})
    assert refused["status"] == "conflict" and refused["result"]["stale"] == ["incomes"], refused
    assert refused["conflict"]["fields"]["incomes"]["server"][0]["amount"] == "1500.00"
    row = await CaseFinances.select(CaseFinances.data).where(CaseFinances.case == case_id).first()
    assert json.loads(row["data"])["incomes"][0]["amount"] == "1500.00"
