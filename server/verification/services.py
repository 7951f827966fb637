"""Requesting verification for a case and recording its result."""

from __future__ import annotations

from server.accounts.current import CurrentUser
from server.accounts.roles import GRID_WORKER
from server.areas.scope import get_in_scope, in_scope
from server.audit.services import record
from server.clock import now
from server.declarations.services import evidence_ref
from server.errors import Conflict, Forbidden, Invalid
from server.finances.services import area_path, case_in_scope
from server.i18n import N_
from server.validation import rules
from server.verification.adapters import get_adapter
from server.verification.tables import VerificationRequest
from sync.feed import touch

KIND = "verification"

RESULTS = {"consistent": N_("核对一致"), "inconsistent": N_("核对不一致"), "partial": N_("部分一致，需进一步调查")}


def as_json(row: dict) -> dict:
    return {
        "id": str(row["id"]),
        "case_id": str(row["case"]),
        "adapter": row["adapter"],
        "external_ref": row["external_ref"],
        "status": row["status"],
        "result": row["result"],
        "result_on": row["result_on"].isoformat() if row["result_on"] else None,
        "summary": row["summary"],
        "document_ref": row["document_ref"],
        "requested_at": row["requested_at"].isoformat(),
    }


async def request_verification(user: CurrentUser, args: dict) -> dict:
    """`verification.request`: open a request for a case and hand it to the adapter."""
    request_id = rules.uuid_value(args.get("id"), "id")
    case = await case_in_scope(user, args.get("case_id"))
    if await VerificationRequest.exists().where(VerificationRequest.id == request_id):
        raise Conflict(N_("该核对请求已存在"), field="id")
    open_request = await VerificationRequest.exists().where((VerificationRequest.case == case["id"]) & (VerificationRequest.status == "requested"))
    if open_request:
        raise Conflict(N_("该案件已有一条未完成的核对请求"), field="case_id")
    adapter = get_adapter()
    row = {"id": request_id, "case": case["id"], "area": case["area"], "adapter": adapter.name}
    external = await adapter.submit(row)
    await VerificationRequest(**row, external_ref=external or "", requested_by=user.id, requested_at=now()).save()
    await touch(KIND, str(request_id), await area_path(case["area"]), new=True)
    await record(user, "verification.request", "case", str(case["id"]), {"request": str(request_id), "adapter": adapter.name})
    return {"id": str(request_id), "case_id": str(case["id"]), "status": "requested", "adapter": adapter.name}


async def list_for_case(user: CurrentUser, case_id: object) -> list[dict]:
    case = await case_in_scope(user, case_id)
    rows = await VerificationRequest.select().where((VerificationRequest.case == case["id"]) & in_scope(user, VerificationRequest.area)).order_by(VerificationRequest.requested_at)
    return [as_json(r) for r in rows]


async def record_result(user: CurrentUser, request_id: object, data: dict) -> dict:
    """A supervisor enters the result of a manual verification, with the document as evidence."""
    if user.role == GRID_WORKER:
        raise Forbidden(N_("只有镇街审核人员及以上可以录入核对结果。"))
    row = await get_in_scope(user, VerificationRequest, rules.uuid_value(request_id, "id"), VerificationRequest.area)
    if not get_adapter(row["adapter"]).manual:
        raise Invalid(N_("该核对由外部系统返回结果，不能手工录入"), field="result")
    if row["status"] != "requested":
        raise Conflict(N_("该核对已有结果"), field="result")
    result = rules.choice(data.get("result"), "result", RESULTS, label=N_("核对结果"))
    result_on = rules.day(data.get("result_on"), "result_on", not_after=now().date())
    summary = rules.text(data.get("summary"), "summary", required=False, max_length=2000, label=N_("核对说明"))
    if not data.get("document_ref"):
        raise Invalid(N_("请附上核对结果文书（证据编号或SHA-256）"), field="document_ref")
    document = evidence_ref(data.get("document_ref"), "document_ref")
    await VerificationRequest.update(
        {
            VerificationRequest.status: "completed",
            VerificationRequest.result: result,
            VerificationRequest.result_on: result_on,
            VerificationRequest.summary: summary,
            VerificationRequest.document_ref: document,
            VerificationRequest.completed_by: user.id,
            VerificationRequest.completed_at: now(),
        }
    ).where((VerificationRequest.id == row["id"]) & (VerificationRequest.status == "requested"))
    await touch(KIND, str(row["id"]), await area_path(row["area"]))
    await record(user, "verification.result", "case", str(row["case"]), {"request": str(row["id"]), "result": result, "document": document})
    updated = await VerificationRequest.select().where(VerificationRequest.id == row["id"]).first()
    return as_json(updated)


async def load(actor: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: the verification requests among `ids` in the actor's scope."""
    keys = rules.uuid_keys(ids)
    if not keys:
        return {}
    rows = await VerificationRequest.select().where(VerificationRequest.id.is_in(keys) & in_scope(actor, VerificationRequest.area))
    return {str(r["id"]): as_json(r) for r in rows}
