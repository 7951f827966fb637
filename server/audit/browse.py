"""Browsing and exporting the audit trail of a district (district officers and admins).

An event belongs to a district when the person who caused it works there, or when it is about
a case of that district.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date

from piccolo.columns.combination import Where
from piccolo.querystring import QueryString

from server.accounts.current import CurrentUser
from server.audit.tables import AuditEvent
from server.clock import end_of, start_of
from server.errors import Invalid
from server.i18n import N_
from server.validation.cells import safe_row

PAGE_SIZE = 100
MAX_EXPORT = 100_000


@dataclass
class AuditFilters:
    action: str = ""
    actor: str = ""
    target: str = ""
    day_from: date | None = None
    day_to: date | None = None
    before: int | None = None  # keyset: events with a smaller id


def parse(params: dict) -> AuditFilters:
    try:
        return AuditFilters(
            action=(params.get("action") or "").strip()[:64],
            actor=(params.get("actor") or "").strip()[:100],
            target=(params.get("target") or "").strip()[:64],
            day_from=date.fromisoformat(params["from"]) if params.get("from") else None,
            day_to=date.fromisoformat(params["to"]) if params.get("to") else None,
            before=int(params["before"]) if params.get("before") else None,
        )
    except ValueError as exc:
        raise Invalid(N_("筛选条件格式不正确（日期为 YYYY-MM-DD）"), field="from") from exc


def _scope(user: CurrentUser) -> Where:
    cases = QueryString(
        "SELECT CAST(c.id AS TEXT) FROM assistance_case c JOIN area a ON a.id = c.area WHERE a.path LIKE {}",
        f"{user.area_path}%",
    )
    return AuditEvent.actor.area.path.like(f"{user.area_path}%") | ((AuditEvent.target_type == "case") & AuditEvent.target_id.is_in(cases))


def _where(user: CurrentUser, f: AuditFilters) -> Where:
    where = _scope(user)
    if f.action:
        where = where & AuditEvent.action.like(f"{f.action}%")
    if f.actor:
        where = where & AuditEvent.actor_name.like(f"%{f.actor}%")
    if f.target:
        where = where & (AuditEvent.target_id == f.target)
    if f.day_from:
        where = where & (AuditEvent.at >= start_of(f.day_from))
    if f.day_to:
        where = where & (AuditEvent.at < end_of(f.day_to))
    if f.before:
        where = where & (AuditEvent.id < f.before)
    return where


_COLUMNS = (
    AuditEvent.id, AuditEvent.at, AuditEvent.actor_name, AuditEvent.action, AuditEvent.target_type, AuditEvent.target_id,
    AuditEvent.detail, AuditEvent.hash,
)


async def events(user: CurrentUser, f: AuditFilters, limit: int = PAGE_SIZE) -> dict:
    rows = await AuditEvent.select(*_COLUMNS).where(_where(user, f)).order_by(AuditEvent.id, ascending=False).limit(limit + 1).output(load_json=True)
    more = len(rows) > limit
    rows = rows[:limit]
    return {"events": rows, "next_before": rows[-1]["id"] if more and rows else None}


async def export_csv(user: CurrentUser, f: AuditFilters) -> tuple[bytes, int]:
    rows = await AuditEvent.select(*_COLUMNS).where(_where(user, f)).order_by(AuditEvent.id).limit(MAX_EXPORT).output(load_json=True)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "at", "actor", "action", "target_type", "target_id", "detail", "hash"])
    for r in rows:
        writer.writerow(safe_row([r["id"], r["at"].isoformat(), r["actor_name"], r["action"], r["target_type"], r["target_id"],
                                  json.dumps(r["detail"], ensure_ascii=False, sort_keys=True), r["hash"]]))
    return ("\ufeff" + out.getvalue()).encode("utf-8"), len(rows)
