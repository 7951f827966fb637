"""Household finances through the sync push: validation, scope, merging and conflicts."""

from __future__ import annotations

from tests.support.auth import sign_in
from tests.support.casework import signed_device

INCOMES = [{"member": "王伟", "kind": "wage", "amount": "1800.00"}, {"member": "王伟", "kind": "youfu", "amount": "300"}]


async def test_finances_set_is_applied_and_read_back_with_amounts_as_strings(client, demo):
    device = await signed_device(client, "worker")
    case_id = await device.new_case("dibao")
    result = await device.apply("finances.set", {"case_id": case_id, "incomes": INCOMES, "assets": []})
    assert result["version"] == 1 and result["applied"] == ["assets", "incomes"]
    body = (await device.get(f"/api/cases/{case_id}/finances")).json()
    assert body["version"] == 1
    assert body["data"]["incomes"][1] == {"member": "王伟", "kind": "youfu", "amount": "300.00", "note": ""}
    assert body["data"]["assets"] == []


async def test_finances_set_with_a_float_amount_is_rejected_naming_the_field(client, demo):
    device = await signed_device(client, "worker")
    case_id = await device.new_case("dibao")
    answer = await device.push("finances.set", {"case_id": case_id, "incomes": [{"kind": "wage", "amount": 1800.5}]})
    assert answer["status"] == "rejected"
    assert answer["field"] == "incomes[0].amount"
    assert "不能用浮点数" in answer["reason"]
    unknown = await device.push("finances.set", {"case_id": case_id, "expenses": [{"kind": "travel", "amount": "10"}]})
    assert unknown["status"] == "rejected" and unknown["field"] == "expenses[0].kind"
    assert (await device.get(f"/api/cases/{case_id}/finances")).json()["version"] == 0


async def test_finances_of_another_community_are_not_found(client, demo):
    device = await signed_device(client, "worker")
    case_id = await device.new_case("dibao")
    await device.apply("finances.set", {"case_id": case_id, "incomes": INCOMES})
    intruder = await signed_device(client, "worker2")
    assert (await intruder.get(f"/api/cases/{case_id}/finances")).status_code == 404
    answer = await intruder.push("finances.set", {"case_id": case_id, "incomes": []})
    assert answer["status"] == "rejected"
    assert answer["reason"] == "找不到该记录，或您无权查看。"
    assert (await device.get(f"/api/cases/{case_id}/finances")).json()["data"]["incomes"][0]["amount"] == "1800.00"


async def test_finances_stale_edit_of_another_section_merges(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    await worker.apply("finances.set", {"case_id": case_id, "incomes": INCOMES})
    supervisor = await signed_device(client, "supervisor")
    assert (await supervisor.apply("finances.set", {"case_id": case_id, "assets": [{"kind": "deposit", "value": "5000"}]}, base_version=1))["version"] == 2
    merged = await worker.apply("finances.set", {"case_id": case_id, "expenses": [{"kind": "illness", "amount": "200"}]}, base_version=1)
    assert merged["version"] == 3
    data = (await worker.get(f"/api/cases/{case_id}/finances")).json()["data"]
    assert data["assets"][0]["value"] == "5000.00"
    assert data["expenses"][0]["amount"] == "200.00"
    assert data["incomes"][0]["amount"] == "1800.00"


async def test_finances_stale_edit_of_the_same_section_becomes_a_conflict_both_see(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    await worker.apply("finances.set", {"case_id": case_id, "incomes": INCOMES})
    supervisor = await signed_device(client, "supervisor")
    await supervisor.apply("finances.set", {"case_id": case_id, "incomes": [{"kind": "wage", "amount": "2400"}]}, base_version=1)
    answer = await worker.push("finances.set", {"case_id": case_id, "incomes": [{"kind": "wage", "amount": "1500"}], "assets": []}, base_version=1)
    assert answer["status"] == "conflict"
    assert answer["result"]["applied"] == ["assets"]
    conflict = answer["conflict"]
    assert conflict["kind"] == "finances" and conflict["record_id"] == case_id
    assert conflict["fields"]["incomes"]["server"][0]["amount"] == "2400.00"
    assert conflict["fields"]["incomes"]["device"][0]["amount"] == "1500.00"
    for person in (worker, supervisor):
        seen = (await person.get("/api/sync/conflicts")).json()["conflicts"]
        assert [c["id"] for c in seen] == [conflict["id"]]
    resolved = await supervisor.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"incomes": "device"}})
    assert resolved.status_code == 200, resolved.text
    data = (await worker.get(f"/api/cases/{case_id}/finances")).json()
    assert data["data"]["incomes"][0]["amount"] == "1500.00"
    assert data["data"]["assets"] == []


async def test_finances_reach_the_device_through_the_pull(client, demo):
    device = await signed_device(client, "worker")
    case_id = await device.new_case("tekun")
    await device.apply("finances.set", {"case_id": case_id, "tekun": {"supporters": "none"}})
    body = (await device.get("/api/sync/pull", params={"limit": 2000})).json()
    records = [c for c in body["changes"] if c.get("kind") == "finances" and c.get("id") == case_id]
    assert records, body["changes"][:3]
    assert records[-1]["op"] == "upsert"
    assert records[-1]["data"]["data"]["tekun"] == {"supporters": "none"}


async def test_finances_set_by_a_signed_out_client_is_refused(client, demo):
    await sign_in(client, "worker")
    client.cookies.clear()
    response = await client.post("/api/sync/push", json={"client_id": "x", "mutations": []})
    assert response.status_code in (401, 403)


async def test_finances_sections_report_the_exact_field_at_fault(client, demo):
    device = await signed_device(client, "worker")
    case_id = await device.new_case("tekun")
    cases = [
        ({"assets": [{"kind": "deposit", "value": "100", "exempt": "yes"}]}, "assets[0].exempt"),
        ({"assets": [{"kind": "boat", "value": "100"}]}, "assets[0].kind"),
        ({"circumstances": [{"member": "王伟", "kind": "disability", "detail": "5"}]}, "circumstances[0].detail"),
        ({"tekun": {"supporters": "maybe"}}, "tekun.supporters"),
        ({"tekun": {"daily_activities": {"flying": True}}}, "tekun.daily_activities"),
        ({"temporary": {"severity": "huge"}}, "temporary.severity"),
        ({"incomes": {"kind": "wage"}}, "incomes"),
        ({}, "incomes"),
    ]
    for args, field in cases:
        answer = await device.push("finances.set", {"case_id": case_id, **args})
        assert answer["status"] == "rejected", (args, answer)
        assert answer["field"] == field, (args, answer)
    ok = await device.apply("finances.set", {"case_id": case_id, "circumstances": [{"member": "王伟", "kind": "disability", "detail": "2"}, {"member": "王明", "kind": "minor"}]})
    assert ok["version"] == 1


async def test_supervisor_edits_finances_from_the_web_with_the_same_conflict_rules(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    await worker.apply("finances.set", {"case_id": case_id, "incomes": INCOMES, "assets": []})
    supervisor = await signed_device(client, "supervisor")
    edited = await supervisor.put(f"/api/cases/{case_id}/finances", json={"base_version": 1, "assets": [{"kind": "deposit", "value": "3000"}]})
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2 and "conflict" not in edited.json()
    stale = await supervisor.put(f"/api/cases/{case_id}/finances", json={"base_version": 1, "assets": [], "expenses": []})
    body = stale.json()
    assert body["applied"] == ["expenses"] and body["conflict"]["fields"]["assets"]["server"][0]["value"] == "3000.00"
    bad = await supervisor.put(f"/api/cases/{case_id}/finances", json={"base_version": 3, "incomes": [{"kind": "wage", "amount": "1.234"}]})
    assert bad.status_code == 400 and bad.json()["field"] == "incomes[0].amount"
    stranger = await signed_device(client, "worker3")
    assert (await stranger.put(f"/api/cases/{case_id}/finances", json={"incomes": []})).status_code == 404
