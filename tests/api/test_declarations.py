"""Self-declared extensions: recorded on the phone, approved in bulk, dated when the emergency ends."""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, timedelta

from server.declarations.services import add_months, apply_emergency_end
from tests.support.casework import signed_device

PROMISE = "本人承诺家庭收入、财产状况未发生变化，所报情况真实。"
SHA = hashlib.sha256(b"recording").hexdigest()


def declaration(case_id: str, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "case_id": case_id, "content": PROMISE, "agreed": True, "evidence": {"kind": "audio", "ref": SHA}, **extra}


async def _submitted_extension(worker, area: str = "440106004001") -> tuple[str, str]:
    case_id = await worker.new_case("extension", area=area)
    args = declaration(case_id)
    result = await worker.apply("declaration.record", args)
    assert result["status"] == "pending" and result["extension_months"] == 3
    await worker.apply("case.submit", {"case_id": case_id})
    return case_id, args["id"]


async def test_declaration_is_recorded_with_its_evidence_and_extension_period(client, demo):
    worker = await signed_device(client, "worker")
    case_id, declaration_id = await _submitted_extension(worker)
    listed = (await worker.get("/api/declarations", params={"case_id": case_id})).json()["declarations"]
    assert len(listed) == 1
    item = listed[0]
    assert item["id"] == declaration_id and item["content"] == PROMISE and item["evidence"] == {"kind": "audio", "ref": SHA}
    assert item["extension_months"] == 3 and "（示例）" in item["standard_version"]
    assert item["reverification"] == "owed" and item["extended_until"] is None


async def test_declaration_needs_agreement_evidence_and_an_extension_case(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("extension")
    not_agreed = await worker.push("declaration.record", declaration(case_id, agreed=False))
    assert not_agreed["status"] == "rejected" and not_agreed["field"] == "agreed"
    no_evidence = await worker.push("declaration.record", {**declaration(case_id), "evidence": None})
    assert no_evidence["field"] == "evidence"
    bad_ref = await worker.push("declaration.record", declaration(case_id, evidence={"kind": "photo", "ref": "abc"}))
    assert bad_ref["field"] == "evidence.ref"
    dibao = await worker.new_case("dibao")
    wrong_type = await worker.push("declaration.record", declaration(dibao))
    assert wrong_type["status"] == "rejected" and wrong_type["field"] == "case_id"
    assert (await worker.get("/api/declarations", params={"case_id": case_id})).json()["declarations"] == []


async def test_supervisor_approves_many_extensions_at_once(client, demo):
    worker = await signed_device(client, "worker")
    first_case, first = await _submitted_extension(worker)
    second_case, second = await _submitted_extension(worker)
    far = await signed_device(client, "worker3")
    _, outside = await _submitted_extension(far, "440111002001")
    supervisor = await signed_device(client, "supervisor")
    pending = (await supervisor.get("/api/declarations", params={"status": "pending"})).json()["declarations"]
    assert {d["id"] for d in pending} >= {first, second} and outside not in {d["id"] for d in pending}
    answer = await supervisor.post("/api/declarations/approve", json={"ids": [first, second, outside], "note": "批量同意延期"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["approved"] == 2
    assert [r["status"] for r in body["results"]] == ["approved", "approved", "skipped"]
    again = (await supervisor.post("/api/declarations/approve", json={"ids": [first]})).json()
    assert again["results"][0]["status"] == "skipped"
    completeness = (await supervisor.get(f"/api/cases/{first_case}/completeness")).json()
    assert completeness["status"] == "approved"


async def test_grid_worker_cannot_approve_extensions(client, demo):
    worker = await signed_device(client, "worker")
    _, declaration_id = await _submitted_extension(worker)
    assert (await worker.post("/api/declarations/approve", json={"ids": [declaration_id]})).status_code == 403


async def test_emergency_end_dates_the_extension_and_the_reverification_owed(client, demo):
    worker = await signed_device(client, "worker")
    _, declaration_id = await _submitted_extension(worker)
    before = {d["id"]: d for d in (await worker.get("/api/declarations")).json()["declarations"]}
    dated = await apply_emergency_end("440100/440106/440106004/440106004001/", date(2022, 11, 30))
    assert dated == sum(1 for d in before.values() if d["extended_until"] is None)
    owed = (await worker.get("/api/declarations", params={"reverification": "owed"})).json()["declarations"]
    item = next(d for d in owed if d["id"] == declaration_id)
    assert item["extended_until"] == "2023-02-28"
    assert item["reverification_due"] == "2023-02-28"
    supervisor = await signed_device(client, "supervisor")
    await supervisor.post("/api/declarations/approve", json={"ids": [declaration_id]})
    done = await supervisor.post(f"/api/declarations/{declaration_id}/reverification", json={"note": "电话复核，情况无变化"})
    assert done.status_code == 200 and done.json()["reverification"] == "done"
    still_owed = (await supervisor.get("/api/declarations", params={"reverification": "owed"})).json()["declarations"]
    assert declaration_id not in {d["id"] for d in still_owed}


def test_add_months_clips_to_the_end_of_the_month():
    assert add_months(date(2022, 11, 30), 3) == date(2023, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2022, 1, 15), 12) == date(2023, 1, 15)


async def test_ending_the_districts_emergency_dates_its_extensions_only(client, demo):
    worker = await signed_device(client, "worker")
    _, inside = await _submitted_extension(worker)
    far = await signed_device(client, "worker3")
    _, outside = await _submitted_extension(far, "440111002001")
    district = await signed_device(client, "district")
    starts_on = date.today() - timedelta(days=10)
    period = (await district.post("/api/procedures/emergency", json={"starts_on": starts_on.isoformat(), "spot_check_percent": 0, "tekun_spot_check_percent": 30})).json()
    ends_on = date.today() - timedelta(days=1)
    ended = await district.post(f"/api/procedures/emergency/{period['id']}/end", json={"ends_on": ends_on.isoformat()})
    assert ended.status_code == 200, ended.text
    dated = {d["id"]: d for d in (await worker.get("/api/declarations")).json()["declarations"]}[inside]
    assert dated["emergency_ends_on"] == ends_on.isoformat()
    assert dated["extended_until"] == dated["reverification_due"] == add_months(ends_on, 3).isoformat()
    assert dated["version"] == 2  # a new version, so that the phones' pull carries the dates
    untouched = {d["id"]: d for d in (await far.get("/api/declarations")).json()["declarations"]}[outside]
    assert untouched["extended_until"] is None and untouched["version"] == 1
