"""Household economic status verification: requests per case, the manual adapter, pluggability."""

from __future__ import annotations

import hashlib
import uuid

from server.verification.adapters import AdapterResult, get_adapter, register_adapter
from tests.support.casework import signed_device

DOCUMENT = hashlib.sha256(b"verification letter").hexdigest()


async def test_worker_requests_and_supervisor_enters_the_result_with_a_document(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    request_id = str(uuid.uuid4())
    opened = await worker.apply("verification.request", {"id": request_id, "case_id": case_id})
    assert opened == {"id": request_id, "case_id": case_id, "status": "requested", "adapter": "manual"}
    twice = await worker.push("verification.request", {"id": str(uuid.uuid4()), "case_id": case_id})
    assert twice["status"] == "rejected" and twice["field"] == "case_id"
    assert (await worker.post(f"/api/verifications/{request_id}/result", json={"result": "consistent", "result_on": "2022-04-02", "document_ref": DOCUMENT})).status_code == 403
    supervisor = await signed_device(client, "supervisor")
    no_document = await supervisor.post(f"/api/verifications/{request_id}/result", json={"result": "consistent", "result_on": "2022-04-02"})
    assert no_document.status_code == 400 and no_document.json()["field"] == "document_ref"
    bad_date = await supervisor.post(f"/api/verifications/{request_id}/result", json={"result": "consistent", "result_on": "2022-13-01", "document_ref": DOCUMENT})
    assert bad_date.status_code == 400 and bad_date.json()["field"] == "result_on"
    done = await supervisor.post(f"/api/verifications/{request_id}/result", json={"result": "inconsistent", "result_on": "2022-04-02", "summary": "名下有车辆一辆", "document_ref": DOCUMENT})
    assert done.status_code == 200, done.text
    listed = (await worker.get(f"/api/cases/{case_id}/verifications")).json()["verifications"]
    assert listed[0]["status"] == "completed" and listed[0]["result"] == "inconsistent" and listed[0]["result_on"] == "2022-04-02"
    assert listed[0]["document_ref"] == DOCUMENT
    again = await supervisor.post(f"/api/verifications/{request_id}/result", json={"result": "consistent", "result_on": "2022-04-03", "document_ref": DOCUMENT})
    assert again.status_code == 409


async def test_verification_of_another_community_is_not_found(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    other = await signed_device(client, "worker3")
    assert (await other.get(f"/api/cases/{case_id}/verifications")).status_code == 404
    assert (await other.post(f"/api/cases/{case_id}/verifications", json={})).status_code == 404


class BureauAdapter:
    """A stand-in for a bureau's verification system: it answers with its own reference."""

    name = "bureau-test"
    manual = False

    def __init__(self) -> None:
        self.sent: list[str] = []

    async def submit(self, request: dict) -> str:
        self.sent.append(str(request["case"]))
        return f"HD-{len(self.sent):04d}"

    async def fetch(self, request: dict) -> AdapterResult | None:
        return None


async def test_another_adapter_plugs_in_and_manual_entry_is_refused_for_it(client, demo):
    bureau = BureauAdapter()
    register_adapter(bureau, default=True)
    try:
        worker = await signed_device(client, "worker")
        case_id = await worker.new_case("dibao")
        created = await worker.post(f"/api/cases/{case_id}/verifications", json={})
        assert created.status_code == 201 and created.json()["adapter"] == "bureau-test"
        assert bureau.sent == [case_id]
        listed = (await worker.get(f"/api/cases/{case_id}/verifications")).json()["verifications"]
        assert listed[0]["external_ref"] == "HD-0001"
        supervisor = await signed_device(client, "supervisor")
        manual = await supervisor.post(f"/api/verifications/{listed[0]['id']}/result", json={"result": "consistent", "result_on": "2022-04-02", "document_ref": DOCUMENT})
        assert manual.status_code == 400 and manual.json()["field"] == "result"
    finally:
        register_adapter(get_adapter("manual"), default=True)
