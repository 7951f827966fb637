"""Recording declarations, approving many at once, and dating the extension when the emergency ends."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, datetime, timedelta

from server.accounts.current import CurrentUser
from server.accounts.roles import GRID_WORKER
from server.areas.scope import get_in_scope, in_scope
from server.areas.tables import Area
from server.audit.services import record
from server.cases.tables import Case
from server.clock import now
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.declarations.tables import Declaration
from server.eligibility.services import case_date
from server.finances.services import area_path, case_in_scope
from server.i18n import N_
from server.procedures import services as procedures
from server.standards.services import effective_standard, rule_version
from server.validation import rules
from sync.feed import touch
from sync.merge import stamp

EVIDENCE_KINDS = {"audio": N_("录音"), "video": N_("视频"), "photo": N_("手写承诺照片")}
STATUSES = {"pending": N_("待审核"), "approved": N_("已批准"), "rejected": N_("未批准")}
KIND = "declaration"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clipped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def evidence_ref(value: object, field: str = "evidence.ref") -> str:
    """An evidence id (UUID) or the SHA-256 (lowercase hex) of the file the device captured."""
    raw = str(value or "").strip()
    if _SHA256.match(raw.lower()):
        return raw.lower()
    try:
        return str(rules.uuid_value(raw, field))
    except Invalid:
        raise Invalid(N_("证据应为证据编号或文件的SHA-256（64位十六进制）"), field=field) from None


def as_json(row: dict) -> dict:
    return {
        "id": str(row["id"]),
        "case_id": str(row["case"]),
        "content": row["content"],
        "agreed": row["agreed"],
        "declared_at": row["declared_at"].isoformat(),
        "evidence": {"kind": row["evidence_kind"], "ref": row["evidence_ref"]},
        "extension_months": row["extension_months"],
        "standard_version": row["standard_version"],
        "emergency_ends_on": row["emergency_ends_on"].isoformat() if row["emergency_ends_on"] else None,
        "extended_until": row["extended_until"].isoformat() if row["extended_until"] else None,
        "reverification": row["reverification"],
        "reverification_due": row["reverification_due"].isoformat() if row["reverification_due"] else None,
        "status": row["status"],
        "decision_note": row["decision_note"],
        "version": row["version"],
    }


async def record_declaration(user: CurrentUser, args: dict, *, created_at: datetime | None = None) -> dict:
    """`declaration.record`: the recipient's self-declaration for an extension case."""
    declaration_id = rules.uuid_value(args.get("id"), "id")
    case = await case_in_scope(user, args.get("case_id"))
    if case["type"] != "extension":
        raise Invalid(N_("只有“延期（自我申报）”案件可以记录自我申报"), field="case_id")
    if await Declaration.exists().where(Declaration.id == declaration_id):
        raise Conflict(N_("该申报已记录，不能重复提交"), field="id")
    content = rules.text(args.get("content"), "content", max_length=5000, label=N_("承诺内容"))
    if args.get("agreed") is not True:
        raise Invalid(N_("申报人须同意承诺内容后才能记录"), field="agreed")
    evidence = args.get("evidence")
    if not isinstance(evidence, dict):
        raise Invalid(N_("请附上申报人同意的证据（录音、视频或手写承诺照片）"), field="evidence")
    kind = rules.choice(evidence.get("kind"), "evidence.kind", EVIDENCE_KINDS, label=N_("证据类型"))
    ref = evidence_ref(evidence.get("ref"))
    area = await Area.select(Area.path).where(Area.id == case["area"]).first()
    standard = await effective_standard(area["path"], case_date(case))
    if standard is None:
        raise NotFound(N_("该社区没有生效的救助标准，无法确定延期期限"), field="case_id")
    ends_on = rules.day(args.get("emergency_ends_on"), "emergency_ends_on", required=False)
    until = add_months(ends_on, standard["extension_months"]) if ends_on else None
    row = Declaration(
        id=declaration_id,
        case=case["id"],
        area=case["area"],
        content=content,
        agreed=True,
        declared_at=rules.moment(args.get("declared_at"), "declared_at", label="申报时间", not_after=now() + timedelta(hours=1)) or created_at or now(),
        evidence_kind=kind,
        evidence_ref=ref,
        extension_months=standard["extension_months"],
        standard_version=rule_version(standard),
        emergency_ends_on=ends_on,
        extended_until=until,
        reverification_due=until,
        recorded_by=user.id,
        recorded_at=now(),
    )
    await row.save()
    await touch(KIND, str(declaration_id), await area_path(case["area"]), new=True)
    await record(user, "declaration.record", "case", str(case["id"]), {"declaration": str(declaration_id), "evidence": ref})
    return {"id": str(declaration_id), "case_id": str(case["id"]), "status": "pending", "extension_months": standard["extension_months"]}


async def list_declarations(user: CurrentUser, *, status: str | None = None, reverification: str | None = None, case_id: object = None) -> list[dict]:
    where = in_scope(user, Declaration.area)
    if status:
        where &= Declaration.status == rules.choice(status, "status", STATUSES, label="状态")
    if reverification:
        where &= Declaration.reverification == rules.choice(reverification, "reverification", ("owed", "done"), label=N_("复核状态"))
    if case_id:
        where &= Declaration.case == rules.uuid_value(case_id, "case_id")
    rows = await Declaration.select().where(where).order_by(Declaration.recorded_at)
    return [as_json(r) for r in rows]


async def approve_many(user: CurrentUser, ids: object, note: str = "") -> list[dict]:
    """Approve pending declarations in the user's scope; the extension case becomes approved.

    Each id gets its own answer: approved, or skipped with the reason (not pending, not found)."""
    if user.role == GRID_WORKER:
        raise Forbidden(N_("只有镇街审核人员及以上可以批准延期。"))
    if not isinstance(ids, list) or not ids:
        raise Invalid(N_("请选择要批准的申报"), field="ids")
    if len(ids) > 500:
        raise Invalid(N_("一次最多批准500条"), field="ids")
    note = rules.text(note, "note", required=False, max_length=500, label=N_("审核意见"))
    results = []
    at = now()
    for raw in ids:
        try:
            declaration_id = rules.uuid_value(raw, "ids")
        except Invalid as error:
            results.append({"id": str(raw), "status": "skipped", "reason": error.reason})
            continue
        row = await Declaration.select().where((Declaration.id == declaration_id) & in_scope(user, Declaration.area)).first()
        if row is None:
            results.append({"id": str(declaration_id), "status": "skipped", "reason": N_("找不到该记录，或您无权查看。")})
            continue
        if row["status"] != "pending":
            results.append({"id": str(declaration_id), "status": "skipped", "reason": N_("该申报状态为{status}，不是待审核", status=row["status"])})
            continue
        await Declaration.update(
            {Declaration.status: "approved", Declaration.decided_by: user.id, Declaration.decided_at: at, Declaration.decision_note: note, Declaration.version: row["version"] + 1}
        ).where(Declaration.id == declaration_id)
        case = await Case.select(Case.status, Case.version).where(Case.id == row["case"]).first()
        path = await area_path(row["area"])
        if case and case["status"] == "submitted":
            await Case.update({Case.status: "approved", Case.version: case["version"] + 1, Case.updated_at: at}).where(
                (Case.id == row["case"]) & (Case.version == case["version"])
            )
            await stamp("case", str(row["case"]), ["status"], case["version"] + 1)
            await touch("case", str(row["case"]), path)
        await touch(KIND, str(declaration_id), path)
        await record(user, "declaration.approve", "case", str(row["case"]), {"declaration": str(declaration_id), "note": note})
        results.append({"id": str(declaration_id), "status": "approved"})
    return results


async def apply_emergency_end(area_path: str, ends_on: date) -> int:
    """When an emergency ends for an area: date every open extension and its re-verification.

    Returns how many declarations were dated; each one's new version reaches the phones."""
    rows = await Declaration.select(
        Declaration.id, Declaration.extension_months, Declaration.version, Declaration.area.path.as_alias("area_path")  # type: ignore[attr-defined]
    ).where(
        Declaration.area.path.like(f"{area_path}%") & Declaration.extended_until.is_null() & (Declaration.status != "rejected")  # type: ignore[attr-defined]
    )
    for row in rows:
        until = add_months(ends_on, row["extension_months"])
        await Declaration.update(
            {Declaration.emergency_ends_on: ends_on, Declaration.extended_until: until, Declaration.reverification_due: until, Declaration.version: row["version"] + 1}
        ).where(Declaration.id == row["id"])
        await touch(KIND, str(row["id"]), row["area_path"])
    return len(rows)


@procedures.on_emergency_end
async def date_extensions(user: CurrentUser, period: dict) -> int:
    """The listener of the end of an emergency: the district's open extensions get their period."""
    district = await Area.select(Area.path).where(Area.code == period["district"]).first()
    if district is None or not period.get("ends_on"):
        return 0
    dated = await apply_emergency_end(district["path"], date.fromisoformat(period["ends_on"]))
    await record(user, "declaration.extensions_dated", "district", period["district"], {"ends_on": period["ends_on"], "declarations": dated})
    return dated


async def load(actor: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: the declarations among `ids` in the actor's scope."""
    keys = rules.uuid_keys(ids)
    if not keys:
        return {}
    rows = await Declaration.select().where(Declaration.id.is_in(keys) & in_scope(actor, Declaration.area))
    return {str(r["id"]): as_json(r) for r in rows}


async def mark_reverified(user: CurrentUser, declaration_id: object, data: dict) -> dict:
    """The re-verification owed for an approved extension was done."""
    if user.role == GRID_WORKER:
        raise Forbidden(N_("只有镇街审核人员及以上可以确认复核。"))
    row = await get_in_scope(user, Declaration, rules.uuid_value(declaration_id, "id"), Declaration.area)
    if row["status"] != "approved":
        raise Conflict(N_("只有已批准的延期需要复核"), field="status", extra={"expected": "approved", "actual": row["status"]})
    if row["reverification"] != "owed":
        raise Conflict(N_("该延期已完成复核"), field="reverification", extra={"expected": "owed", "actual": row["reverification"]})
    note = rules.text(data.get("note"), "note", max_length=1000, label=N_("复核情况"))
    await Declaration.update({Declaration.reverification: "done", Declaration.decision_note: note, Declaration.version: row["version"] + 1}).where(Declaration.id == row["id"])
    await touch(KIND, str(row["id"]), await area_path(row["area"]))
    await record(user, "declaration.reverified", "case", str(row["case"]), {"declaration": str(row["id"]), "note": note})
    return as_json(await Declaration.select().where(Declaration.id == row["id"]).first())
