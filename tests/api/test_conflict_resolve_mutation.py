"""`conflict.resolve` pushed from a phone's outbox: applies like the online API, once, in scope."""

from __future__ import annotations

from server.audit.tables import AuditEvent
from server.cases.tables import Case
from tests.support.casework import Device, signed_device


async def notes_conflict(client) -> tuple[Device, Device, str, dict]:
    """The worker and the supervisor both change a case's notes from version 1: a conflict."""
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    supervisor = await signed_device(client, "supervisor")
    assert (await supervisor.apply("case.update", {"id": case_id, "changes": {"notes": "审核人员：电话核实属实"}}, base_version=1))["version"] == 2
    answer = await worker.push("case.update", {"id": case_id, "changes": {"notes": "网格员：邻居证实"}}, base_version=1)
    assert answer["status"] == "conflict"
    return worker, supervisor, case_id, answer["conflict"]


async def notes_of(case_id: str) -> dict:
    return await Case.select(Case.notes, Case.version).where(Case.id == case_id).first()


async def test_conflict_resolve_pushed_writes_the_chosen_value_and_the_audit_event(client, demo):
    worker, _, case_id, conflict = await notes_conflict(client)
    result = await worker.apply("conflict.resolve", {"conflict_id": conflict["id"], "choices": {"notes": "device"}, "note": "已与家属核对"})
    assert result == {"conflict_id": conflict["id"], "kind": "case", "record_id": case_id, "status": "resolved", "resolution": {"notes": "device"}, "version": 3}
    assert await notes_of(case_id) == {"notes": "网格员：邻居证实", "version": 3}
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.detail).where(AuditEvent.target_id == conflict["id"]).output(load_json=True)
    assert [e["action"] for e in events] == ["case.conflict_resolve"]
    detail = events[0]["detail"]
    assert detail["choices"] == {"notes": "device"} and detail["kind"] == "case" and detail["record_id"] == case_id
    assert detail["client_id"] == worker.client_id and detail["note"] == "已与家属核对"
    online = (await worker.get(f"/api/sync/conflicts/{conflict['id']}")).json()
    assert online["status"] == "resolved" and online["resolution"] == {"notes": "device"}


async def test_conflict_resolve_keeping_the_server_value_writes_nothing_to_the_record(client, demo):
    worker, _, case_id, conflict = await notes_conflict(client)
    result = await worker.apply("conflict.resolve", {"conflict_id": conflict["id"], "choices": {"notes": "server"}})
    assert result["status"] == "resolved" and result["version"] is None
    assert await notes_of(case_id) == {"notes": "审核人员：电话核实属实", "version": 2}


async def test_conflict_resolve_sent_again_is_a_duplicate_and_applied_once(client, demo):
    worker, _, case_id, conflict = await notes_conflict(client)
    mutation = {"id": worker.next_id, "name": "conflict.resolve", "args": {"conflict_id": conflict["id"], "choices": {"notes": "device"}}, "base_version": None, "created_at": None}
    body = {"client_id": worker.client_id, "mutations": [mutation]}
    first = (await worker.post("/api/sync/push", json=body)).json()["results"][0]
    again = (await worker.post("/api/sync/push", json=body)).json()["results"][0]
    assert first["status"] == "applied"
    assert again["status"] == "duplicate" and again["original_status"] == "applied" and again["result"] == first["result"]
    assert await notes_of(case_id) == {"notes": "网格员：邻居证实", "version": 3}
    assert await AuditEvent.count().where((AuditEvent.action == "case.conflict_resolve") & (AuditEvent.target_id == conflict["id"])) == 1


async def test_conflict_resolve_after_the_supervisor_resolved_on_the_web_is_rejected(client, demo):
    worker, supervisor, case_id, conflict = await notes_conflict(client)
    resolved = await supervisor.post(f"/review/cases/{case_id}/conflicts/{conflict['id']}/resolve", data={"choice_notes": "server"})
    assert resolved.status_code in (200, 303), resolved.text
    answer = await worker.push("conflict.resolve", {"conflict_id": conflict["id"], "choices": {"notes": "device"}})
    assert answer["status"] == "rejected" and answer["field"] == "conflict_id"
    assert answer["reason"] == "该冲突已处理，未按这次的选择更改；请查看处理结果。"
    assert answer["details"]["code"] == "conflict_resolved" and answer["details"]["conflict"]["resolution"] == {"notes": "server"}
    assert await notes_of(case_id) == {"notes": "审核人员：电话核实属实", "version": 2}


async def test_conflict_resolve_of_a_conflict_the_same_person_settled_alike_is_applied_without_change(client, demo):
    worker, _, case_id, conflict = await notes_conflict(client)
    online = await worker.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "device"}})
    assert online.status_code == 200, online.text
    answer = await worker.apply("conflict.resolve", {"conflict_id": conflict["id"], "choices": {"notes": "device"}})
    assert answer["already_resolved"] is True and answer["resolution"] == {"notes": "device"}
    assert await notes_of(case_id) == {"notes": "网格员：邻居证实", "version": 3}
    assert await AuditEvent.count().where((AuditEvent.action == "case.conflict_resolve") & (AuditEvent.target_id == conflict["id"])) == 1


async def test_conflict_resolve_out_of_scope_is_rejected_as_not_found(client, demo):
    _, _, case_id, conflict = await notes_conflict(client)
    intruder = await signed_device(client, "worker2")
    answer = await intruder.push("conflict.resolve", {"conflict_id": conflict["id"], "choices": {"notes": "device"}})
    assert answer["status"] == "rejected" and answer["field"] == "conflict_id"
    assert answer["reason"] == "找不到该冲突记录，或您无权查看。" and "conflict" not in answer.get("details", {})
    assert await notes_of(case_id) == {"notes": "审核人员：电话核实属实", "version": 2}


async def test_conflict_resolve_with_bad_choices_is_rejected_naming_choices(client, demo):
    worker, _, _, conflict = await notes_conflict(client)
    for choices in ({}, {"notes": "mine"}, {"address": "device"}, ["notes"]):
        answer = await worker.push("conflict.resolve", {"conflict_id": conflict["id"], "choices": choices})
        assert answer["status"] == "rejected" and answer["field"] == "choices", (choices, answer)
    bad_id = await worker.push("conflict.resolve", {"conflict_id": "../etc", "choices": {"notes": "device"}})
    assert bad_id["status"] == "rejected" and bad_id["field"] == "conflict_id"


async def test_pull_shows_the_resolution_and_the_new_version_to_every_device(client, demo):
    worker, _, case_id, conflict = await notes_conflict(client)
    other_phone = Device(client, "worker")
    first = (await other_phone.get("/api/sync/pull")).json()
    opened = next(c for c in first["changes"] if c["kind"] == "conflict")
    assert opened["data"]["status"] == "open" and opened["data"]["fields"]["notes"] == {"server": "审核人员：电话核实属实", "device": "网格员：邻居证实"}
    await worker.apply("conflict.resolve", {"conflict_id": conflict["id"], "choices": {"notes": "device"}})
    later = (await other_phone.get("/api/sync/pull", params={"cursor": first["cursor"]})).json()
    changed = {(c["kind"], c["id"]): c["data"] for c in later["changes"]}
    assert changed[("conflict", conflict["id"])]["status"] == "resolved"
    assert changed[("conflict", conflict["id"])]["resolution"] == {"notes": "device"}
    assert changed[("case", case_id)]["version"] == 3 and changed[("case", case_id)]["notes"] == "网格员：邻居证实"


def test_conflict_resolve_is_registered_and_documented():
    from pathlib import Path

    import server.sync_api.mutations  # noqa: F401
    from sync.registry import registered_names

    assert "conflict.resolve" in registered_names()
    assert "#### `conflict.resolve`" in (Path(__file__).resolve().parents[2] / "docs" / "sync.md").read_text(encoding="utf-8")
