"""Conflicts: field-level merge, overlapping edits kept for a person, resolution by worker or supervisor."""

from __future__ import annotations

import uuid

from server.audit.tables import AuditEvent
from server.cases.tables import Case
from tests.api.test_sync_support import household_args, mutation, new_client_id, pull_all, push
from tests.support.auth import sign_in


async def _case_at_version_1(client) -> str:
    await sign_in(client, "worker")
    hid, case_id = str(uuid.uuid4()), str(uuid.uuid4())
    body = (await push(client, new_client_id(), [mutation(1, "household.upsert", household_args(hid)), mutation(2, "case.create", {"id": case_id, "type": "dibao", "household_id": hid, "notes": "初始"})])).json()
    assert [r["status"] for r in body["results"]] == ["applied", "applied"]
    return case_id


def _update(mid: int, case_id: str, changes: dict, base: int | None) -> dict:
    return mutation(mid, "case.update", {"id": case_id, "changes": changes}, base_version=base)


async def test_update_from_the_latest_version_applies(client, demo):
    case_id = await _case_at_version_1(client)
    result = (await push(client, new_client_id(), [_update(1, case_id, {"notes": "已电话联系"}, 1)])).json()["results"][0]
    assert result["status"] == "applied" and result["result"] == {"id": case_id, "version": 2, "applied": ["notes"]}


async def test_non_overlapping_stale_edits_merge(client, demo):
    case_id = await _case_at_version_1(client)
    phone_a, phone_b = new_client_id(), new_client_id()
    first = (await push(client, phone_a, [_update(1, case_id, {"notes": "邻居反映情况属实"}, 1)])).json()["results"][0]
    second = (await push(client, phone_b, [_update(1, case_id, {"procedure": "emergency"}, 1)])).json()["results"][0]
    assert first["status"] == "applied" and second["status"] == "applied"
    assert second["result"]["version"] == 3
    case = await Case.select(Case.notes, Case.procedure, Case.version).where(Case.id == uuid.UUID(case_id)).first()
    assert case == {"notes": "邻居反映情况属实", "procedure": "emergency", "version": 3}


async def test_overlapping_stale_edit_keeps_the_server_value_and_records_a_conflict(client, demo):
    case_id = await _case_at_version_1(client)
    phone_a, phone_b = new_client_id(), new_client_id()
    await push(client, phone_a, [_update(1, case_id, {"notes": "A 的记录"}, 1)])
    body = (await push(client, phone_b, [_update(1, case_id, {"notes": "B 的记录", "procedure": "emergency"}, 1)])).json()
    result = body["results"][0]
    assert body["last_mutation_id"] == 1
    assert result["status"] == "conflict"
    assert result["result"]["applied"] == ["procedure"]
    conflict = result["conflict"]
    assert conflict["fields"] == {"notes": {"server": "A 的记录", "device": "B 的记录"}}
    assert conflict["status"] == "open" and conflict["record_id"] == case_id
    case = await Case.select(Case.notes, Case.procedure).where(Case.id == uuid.UUID(case_id)).first()
    assert case == {"notes": "A 的记录", "procedure": "emergency"}
    # The worker sees it in the pull, the supervisor in the list.
    _, changes = await pull_all(client)
    pulled = [c for c in changes if c["kind"] == "conflict"]
    assert [c["id"] for c in pulled] == [conflict["id"]]
    await sign_in(client, "supervisor")
    listed = (await client.get("/api/sync/conflicts")).json()["conflicts"]
    assert [c["id"] for c in listed] == [conflict["id"]]


async def test_same_value_from_a_stale_device_is_no_conflict(client, demo):
    case_id = await _case_at_version_1(client)
    await push(client, new_client_id(), [_update(1, case_id, {"notes": "一样"}, 1)])
    result = (await push(client, new_client_id(), [_update(1, case_id, {"notes": "一样"}, 1)])).json()["results"][0]
    assert result["status"] == "applied" and result["result"]["applied"] == []


async def test_supervisor_resolves_a_conflict_with_the_device_value(client, demo):
    case_id = await _case_at_version_1(client)
    await push(client, new_client_id(), [_update(1, case_id, {"notes": "服务器"}, 1)])
    conflict = (await push(client, new_client_id(), [_update(1, case_id, {"notes": "设备"}, 1)])).json()["results"][0]["conflict"]
    worker_cursor = (await pull_all(client))[0]["cursor"]
    await sign_in(client, "supervisor")
    response = await client.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "device"}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["conflict"]["status"] == "resolved" and body["record"]["notes"] == "设备" and body["record"]["version"] == 3
    assert (await client.get("/api/sync/conflicts")).json()["conflicts"] == []
    assert await AuditEvent.count().where(AuditEvent.action == "case.conflict_resolve") == 1
    again = await client.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "server"}})
    assert again.status_code == 409
    # The worker's next pull brings the resolved conflict and the new case version.
    await sign_in(client, "worker")
    _, changes = await pull_all(client, worker_cursor)
    kinds = {(c["kind"], c["id"]): c for c in changes}
    assert kinds[("conflict", conflict["id"])]["data"]["status"] == "resolved"
    assert kinds[("case", case_id)]["data"]["notes"] == "设备"


async def test_worker_resolves_a_conflict_keeping_the_server_value(client, demo):
    case_id = await _case_at_version_1(client)
    await push(client, new_client_id(), [_update(1, case_id, {"notes": "服务器"}, 1)])
    conflict = (await push(client, new_client_id(), [_update(1, case_id, {"notes": "设备"}, 1)])).json()["results"][0]["conflict"]
    response = await client.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "server"}})
    assert response.status_code == 200
    case = await Case.select(Case.notes, Case.version).where(Case.id == uuid.UUID(case_id)).first()
    assert case == {"notes": "服务器", "version": 2}


async def test_resolution_must_choose_for_every_field(client, demo):
    case_id = await _case_at_version_1(client)
    await push(client, new_client_id(), [_update(1, case_id, {"notes": "服务器"}, 1)])
    conflict = (await push(client, new_client_id(), [_update(1, case_id, {"notes": "设备"}, 1)])).json()["results"][0]["conflict"]
    response = await client.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {}})
    assert response.status_code == 400 and response.json()["field"] == "choices"
    response = await client.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "mine"}})
    assert response.status_code == 400


async def test_conflict_outside_scope_is_not_found(client, demo):
    case_id = await _case_at_version_1(client)
    await push(client, new_client_id(), [_update(1, case_id, {"notes": "服务器"}, 1)])
    conflict = (await push(client, new_client_id(), [_update(1, case_id, {"notes": "设备"}, 1)])).json()["results"][0]["conflict"]
    await sign_in(client, "worker3")
    assert (await client.get(f"/api/sync/conflicts/{conflict['id']}")).status_code == 404
    response = await client.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "device"}})
    assert response.status_code == 404
    assert (await client.get("/api/sync/conflicts")).json()["conflicts"] == []


async def test_household_member_edit_from_a_stale_device_conflicts(client, demo):
    await sign_in(client, "worker")
    hid = str(uuid.uuid4())
    await push(client, new_client_id(), [mutation(1, "household.upsert", household_args(hid))])
    edited = household_args(hid, address="新地址")
    await push(client, new_client_id(), [mutation(1, "household.upsert", edited, base_version=1)])
    stale = household_args(hid, address="另一个地址")
    result = (await push(client, new_client_id(), [mutation(1, "household.upsert", stale, base_version=1)])).json()["results"][0]
    assert result["status"] == "conflict"
    assert result["conflict"]["fields"] == {"address": {"server": "新地址", "device": "另一个地址"}}
