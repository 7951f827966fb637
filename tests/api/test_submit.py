"""Draft versus submit: a case goes to review only when its own type's fields are complete."""

from __future__ import annotations

import uuid

from tests.support.casework import signed_device


async def test_draft_dibao_without_finances_is_refused_with_every_missing_field(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    answer = await worker.push("case.submit", {"case_id": case_id})
    assert answer["status"] == "rejected"
    assert answer["field"] == "incomes"
    assert answer["reason"].startswith("案件资料不完整，不能提交审核")
    missing = [gap["field"] for gap in answer["details"]["missing"]]
    assert missing == ["incomes", "assets"]
    check = (await worker.get(f"/api/cases/{case_id}/completeness")).json()
    assert check["complete"] is False and check["status"] == "draft"


async def test_complete_dibao_is_submitted_and_its_status_reaches_the_pull(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    await worker.apply("finances.set", {"case_id": case_id, "incomes": [], "assets": []})
    result = await worker.apply("case.submit", {"case_id": case_id, "expected_status": "draft"})
    assert result == {"case_id": case_id, "status": "submitted", "version": 2}
    changes = (await worker.get("/api/sync/pull", params={"limit": 2000})).json()["changes"]
    case = [c for c in changes if c["kind"] == "case" and c["id"] == case_id][-1]
    assert case["data"]["status"] == "submitted"


async def test_submit_naming_another_status_is_a_conflict_and_changes_nothing(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("temporary")
    await worker.apply("finances.set", {"case_id": case_id, "temporary": {"kind": "urgent", "severity": "general", "reason": "隔离期间无收入"}})
    stale = await worker.push("case.submit", {"case_id": case_id, "expected_status": "returned"})
    assert stale["status"] == "conflict" and stale["expected"] == "returned" and stale["actual"] == "draft"
    await worker.apply("case.submit", {"case_id": case_id})
    again = await worker.push("case.submit", {"case_id": case_id})
    assert again["status"] == "conflict" and again["actual"] == "submitted"


async def test_temporary_needs_only_its_own_fields(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("temporary")
    answer = await worker.push("case.submit", {"case_id": case_id})
    assert [g["field"] for g in answer["details"]["missing"]] == ["temporary.kind", "temporary.severity", "temporary.reason"]
    await worker.apply("finances.set", {"case_id": case_id, "temporary": {"kind": "expense", "severity": "serious", "reason": "住院"}})
    expense = await worker.push("case.submit", {"case_id": case_id})
    assert [g["field"] for g in expense["details"]["missing"]] == ["temporary.expense_amount"]
    await worker.apply("finances.set", {"case_id": case_id, "temporary": {"kind": "expense", "severity": "serious", "reason": "住院", "expense_amount": "8000"}}, base_version=1)
    assert (await worker.apply("case.submit", {"case_id": case_id}))["status"] == "submitted"


async def test_tekun_needs_supporters_and_the_six_activities(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("tekun")
    await worker.apply("finances.set", {"case_id": case_id, "incomes": [], "assets": [], "tekun": {"daily_activities": {"eating": True}}})
    answer = await worker.push("case.submit", {"case_id": case_id})
    assert [g["field"] for g in answer["details"]["missing"]] == ["tekun.supporters", "tekun.daily_activities"]


async def test_extension_needs_a_declaration_and_referral_a_referral(client, demo):
    worker = await signed_device(client, "worker")
    extension = await worker.new_case("extension")
    referral = await worker.new_case("referral")
    assert [g["field"] for g in (await worker.push("case.submit", {"case_id": extension}))["details"]["missing"]] == ["declaration"]
    assert [g["field"] for g in (await worker.push("case.submit", {"case_id": referral}))["details"]["missing"]] == ["referral"]


async def test_household_gaps_are_named_for_every_type(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("temporary", contact_phone="")
    answer = await worker.push("case.submit", {"case_id": case_id})
    assert answer["details"]["missing"][0] == {"field": "household.contact_phone", "reason": "请填写联系电话"}


async def test_submit_of_another_communitys_case_is_rejected_as_not_found(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("temporary")
    other = await signed_device(client, "worker2")
    answer = await other.push("case.submit", {"case_id": case_id})
    assert answer["status"] == "rejected" and answer["reason"] == "找不到该记录，或您无权查看。"
    assert (await other.get(f"/api/cases/{case_id}/completeness")).status_code == 404
    assert (await other.push("case.submit", {"case_id": str(uuid.uuid4())}))["status"] == "rejected"
