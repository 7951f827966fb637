"""Obligations: opened by an emergency-procedure decision, dated when the emergency ends,
listed for the responsible worker, waived by a supervisor; the pull's `obligation` record kind.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

from server import clock
from server.accounts.current import CurrentUser
from server.accounts.roles import ADMIN, DISTRICT_OFFICER, GRID_WORKER, STREET_SUPERVISOR
from server.areas.scope import in_scope
from server.audit.services import record
from server.clock import now
from server.errors import Forbidden, Invalid, NotFound
from server.i18n import N_
from server.paperwork import rules, snapshot
from server.paperwork.kinds import DOCUMENTS, OPEN, ORDER
from server.paperwork.settings import get_paperwork_settings
from server.paperwork.tables import Obligation
from server.procedures import services as procedures
from sync.db import write_transaction
from sync.feed import touch

KIND = "obligation"
COLUMNS = (
    Obligation.all_columns(),
    Obligation.area.path.as_alias("area_path"),
    Obligation.area.code.as_alias("community_code"),
    Obligation.area.name.as_alias("community_name"),
    Obligation.responsible.display_name.as_alias("responsible_name"),
)


def due_after(ends_on: date) -> date:
    return ends_on + timedelta(days=get_paperwork_settings().due_days)


def as_record(row: dict) -> dict:
    """An obligation as the pull and the API show it (no personal data beyond names)."""
    data = row["snapshot"] if isinstance(row["snapshot"], dict) else json.loads(row["snapshot"])
    signers = row["signers"] if isinstance(row["signers"], list) else json.loads(row["signers"])
    return {
        "id": str(row["id"]),
        "case_id": str(row["case"]),
        "household_id": str(row["household"]),
        "address": data["household"]["address"],
        "applicant": (data.get("applicant") or {}).get("name", ""),
        "community": row.get("community_name", ""),
        "kind": row["kind"],
        "title": DOCUMENTS.get(row["kind"], row["kind"]),
        "signers": signers,
        "status": row["status"],
        "waive_reason": row["waive_reason"],
        "due_on": row["due_on"].isoformat() if row["due_on"] else None,
        "responsible": row["responsible"],
        "document_sha256": row["document_sha256"],
        "document_url": f"/paperwork/{row['id']}/document.pdf",
        "version": row["version"],
    }


async def _period(decision: dict) -> dict | None:
    from server.procedures.tables import EmergencyPeriod

    period_id = (decision.get("rules") or {}).get("emergency_period")
    if not period_id:
        return None
    return await EmergencyPeriod.select().where(EmergencyPeriod.id == period_id).first()


@procedures.on_signature_obligations
async def open_for_decision(case: dict, decision: dict) -> list[str]:
    """The listener of `open_signature_obligations`: one obligation per document still unsigned.

    Runs inside the decision's transaction. Only approvals leave documents to complete.
    """
    if decision["to_status"] != "approved":
        return []
    data = await snapshot.take(case, decision)
    period = await _period(decision)
    due_on = due_after(period["ends_on"]) if period and period["ends_on"] else None
    ids = []
    for kind, signers in rules.obligations_for(data):
        obligation_id = uuid.uuid4()
        await Obligation.insert(Obligation(
            id=obligation_id, case=case["id"], area=case["area"], household=case["household"], decision=decision["id"],
            emergency_period=period["id"] if period else None, kind=kind, signers=signers, status=OPEN,
            due_on=due_on, responsible=case["assigned_to"] or case["opened_by"], snapshot=data,
            document_sha256=snapshot.document_hash(kind, DOCUMENTS[kind], signers, data), created_at=decision["decided_at"],
        ))
        await touch(KIND, str(obligation_id), case["area_path"], new=True)
        ids.append(str(obligation_id))
    return ids


@procedures.on_emergency_end
async def date_open_obligations(user: CurrentUser, period: dict) -> int:
    """The listener of the end of an emergency: every open obligation of the district gets its due date."""
    ends_on = date.fromisoformat(period["ends_on"])
    due_on = due_after(ends_on)
    district = await _district_path(period["district"])
    rows = await Obligation.select(Obligation.id, Obligation.area.path.as_alias("area_path")).where(
        Obligation.area.path.like(f"{district}%") & (Obligation.status == OPEN)
        & ((Obligation.emergency_period == period["id"]) | Obligation.due_on.is_null())
    )
    if rows:
        await Obligation.update({Obligation.due_on: due_on, Obligation.version: Obligation.version + 1}).where(
            Obligation.id.is_in([r["id"] for r in rows])
        )
    for row in rows:
        await touch(KIND, str(row["id"]), row["area_path"])
    await record(user, "paperwork.due", "district", period["district"], {"due_on": due_on.isoformat(), "obligations": len(rows)})
    return len(rows)


async def _district_path(code: str) -> str:
    from server.areas.tables import Area

    row = await Area.select(Area.path).where(Area.code == code).first()
    return row["path"]


async def count_open(area_path: str) -> int:
    """Open obligations inside an area (for the district and street dashboards)."""
    return await Obligation.count().where(Obligation.area.path.like(f"{area_path}%") & (Obligation.status == OPEN))


async def get(user: CurrentUser, obligation_id) -> dict:
    """One obligation in the user's scope, or NotFound."""
    try:
        key = uuid.UUID(str(obligation_id))
    except ValueError as exc:
        raise NotFound() from exc
    row = await Obligation.select(*COLUMNS).where((Obligation.id == key) & in_scope(user, Obligation.area)).output(load_json=True).first()
    if row is None:
        raise NotFound(N_("找不到该文书，或不在您的管辖范围内。"))
    return row


async def of_case(user: CurrentUser, case_id) -> list[dict]:
    rows = await Obligation.select(*COLUMNS).where((Obligation.case == case_id) & in_scope(user, Obligation.area)).output(load_json=True)
    return sorted(rows, key=lambda r: ORDER.get(r["kind"], 99))


def route_order(rows: list[dict]) -> list[dict]:
    """Households grouped, in a route-friendly order: community by community, then by address."""
    groups: dict[str, dict] = {}
    for row in rows:
        record_ = as_record(row) if "address" not in row else row
        group = groups.setdefault(record_["household_id"], {
            "household_id": record_["household_id"], "address": record_["address"], "applicant": record_["applicant"],
            "community": record_["community"], "community_code": row.get("community_code", ""), "case_id": record_["case_id"],
            "obligations": [], "due_on": None,
        })
        group["obligations"].append(record_)
        if record_["due_on"] and (group["due_on"] is None or record_["due_on"] < group["due_on"]):
            group["due_on"] = record_["due_on"]
    for group in groups.values():
        group["obligations"].sort(key=lambda o: ORDER.get(o["kind"], 99))
    return sorted(groups.values(), key=lambda g: (g["community_code"], g["address"], g["household_id"]))


async def worker_tasks(user: CurrentUser) -> dict:
    """The worker's open obligations: due ones (the emergency has ended) and those still waiting."""
    query = Obligation.select(*COLUMNS).where(in_scope(user, Obligation.area) & (Obligation.status == OPEN))
    if user.role == GRID_WORKER:
        query = query.where(Obligation.responsible == user.id)
    rows = await query.output(load_json=True)
    due = [r for r in rows if r["due_on"] is not None]
    return {"due": route_order(due), "waiting": route_order([r for r in rows if r["due_on"] is None]), "today": clock.today()}


async def waive(user: CurrentUser, obligation_id, reason: str, expected_version=None) -> dict:
    """免签: a supervisor records that a signature will not be collected, and why."""
    if user.role not in (STREET_SUPERVISOR, DISTRICT_OFFICER, ADMIN):
        raise Forbidden(N_("只有镇街审核人员或区民政局可以免签。"))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(N_("请写明免签理由，例如“申请人已去世”。"), field="reason")
    row = await get(user, obligation_id)
    if row["status"] != OPEN:
        raise Invalid(N_("该文书已签署或已免签。"), field="status")
    if expected_version not in (None, "") and int(expected_version) != row["version"]:
        raise Invalid(N_("该文书在您查看后已有变化，请刷新后再操作。"), field="expected_version")
    async with write_transaction(Obligation._meta.db):
        await Obligation.update({
            Obligation.status: "waived", Obligation.waive_reason: reason[:1000], Obligation.waived_by: user.id,
            Obligation.waived_at: now(), Obligation.version: row["version"] + 1,
        }).where((Obligation.id == row["id"]) & (Obligation.version == row["version"]))
        await touch(KIND, str(row["id"]), row["area_path"])
        await record(user, "paperwork.waive", "obligation", str(row["id"]), {"kind": row["kind"], "case": str(row["case"]), "reason": reason})
    return await get(user, row["id"])
