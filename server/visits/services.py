"""Visits: validation and writing of `visit.record`, scoped reads, the pull's visit records."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from server.accounts.current import CurrentUser
from server.areas.scope import in_scope
from server.cases.tables import Case
from server.clock import now
from server.i18n import N_
from server.visits.schemas import MODES
from server.visits.tables import Visit
from sync import feed
from sync.registry import MutationContext, Rejected

KIND = "visit"
_COLUMNS = (
    Visit.id, Visit.case, Visit.mode, Visit.investigator_1, Visit.investigator_2, Visit.visited_at,
    Visit.members_situation, Visit.notes, Visit.recorded_by, Visit.recorded_at, Visit.version,
)


def _uuid(value, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        raise Rejected(N_("{field} 不是有效的 UUID", field=field), field=field) from None


def _text(args: dict, key: str, limit: int) -> str:
    value = args.get(key) or ""
    if not isinstance(value, str):
        raise Rejected(N_("{field} 应为文字", field=key), field=key)
    if len(value) > limit:
        raise Rejected(N_("{field} 不能超过 {count} 字", field=key, count=limit), field=key)
    return value.strip()


def _visited_at(value) -> datetime:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        raise Rejected(N_("走访时间格式不正确"), field="visited_at") from None
    if at.tzinfo is None:
        raise Rejected(N_("走访时间须带时区"), field="visited_at")
    if at > now() + timedelta(days=1):
        raise Rejected(N_("走访时间不能晚于今天"), field="visited_at")
    return at


def _investigators(value) -> tuple[str, str]:
    names = [str(n).strip() for n in (value or []) if str(n).strip()] if isinstance(value, list) else []
    if len(names) != 2:
        raise Rejected(N_("入户调查须由两名调查人员进行，请填写两人姓名"), field="investigators")
    if names[0] == names[1]:
        raise Rejected(N_("两名调查人员不能是同一人"), field="investigators")
    if any(len(n) > 100 for n in names):
        raise Rejected(N_("调查人员姓名过长"), field="investigators")
    return names[0], names[1]


async def record_visit(ctx: MutationContext, args: dict) -> dict:
    """Record a non-contact home visit on a case in the actor's scope."""
    visit_id = _uuid(args.get("id"), "id")
    case_id = _uuid(args.get("case_id"), "case_id")
    mode = args.get("mode")
    if mode not in MODES:
        raise Rejected(N_("未知的走访方式 {mode}，可选: {choices}", mode=mode, choices=", ".join(MODES)), field="mode")
    first, second = _investigators(args.get("investigators"))
    visited_at = _visited_at(args.get("visited_at"))
    case = await Case.select(Case.id, Case.area, Case.area.path.as_alias("area_path")).where(
        (Case.id == case_id) & in_scope(ctx.actor, Case.area)
    ).first()
    if case is None:
        raise Rejected(N_("找不到该案件，或不在您的管辖范围内"), field="case_id")
    if await Visit.exists().where(Visit.id == visit_id):
        raise Rejected(N_("该走访记录已存在"), field="id")
    visit = Visit(
        id=visit_id,
        case=case["id"],
        area=case["area"],
        mode=mode,
        investigator_1=first,
        investigator_2=second,
        visited_at=visited_at,
        members_situation=_text(args, "members_situation", 4000),
        notes=_text(args, "notes", 4000),
        recorded_by=ctx.actor.id,
        recorded_at=getattr(ctx, "received_at", None) or now(),
        client_id=ctx.client_id,
        device_created_at=ctx.created_at,
    )
    await visit.save()
    await feed.touch(KIND, str(visit_id), case["area_path"], new=True)
    return {"visit_id": str(visit_id), "case_id": str(case_id), "version": 1}


async def visits_of_case(user: CurrentUser, case_id) -> list[dict]:
    """The visits of one case, newest first, as far as the user may see them."""
    return await Visit.select().where((Visit.case == case_id) & in_scope(user, Visit.area)).order_by(Visit.visited_at, ascending=False)


def visit_record(row: dict) -> dict:
    return {
        "id": str(row["id"]),
        "case_id": str(row["case"]),
        "mode": row["mode"],
        "investigators": [row["investigator_1"], row["investigator_2"]],
        "visited_at": row["visited_at"].isoformat(),
        "members_situation": row["members_situation"],
        "notes": row["notes"],
        "recorded_by": row["recorded_by"],
        "recorded_at": row["recorded_at"].isoformat(),
        "version": row["version"],
    }


async def load_visits(user: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: the visits among `ids` inside the user's scope."""
    rows = await Visit.select(*_COLUMNS).where(Visit.id.is_in([uuid.UUID(i) for i in ids]) & in_scope(user, Visit.area))
    return {str(row["id"]): visit_record(row) for row in rows}


async def list_visits() -> list[tuple[str, str]]:
    """Every visit with its community's path (to feed visits written before the feed existed)."""
    rows = await Visit.select(Visit.id, Visit.area.path.as_alias("path"))
    return [(str(row["id"]), row["path"]) for row in rows]
