"""Conflict records: a device's overlapping values, kept for a person to decide.

Both the worker (through the pull, kind "conflict") and the supervisor (through the list)
see them; either may resolve one by choosing, field by field, the server's or the device's value.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from sync.clock import now
from sync.db import write_transaction
from sync.errors import BadRequest, ConflictClosed, ConflictNotFound
from sync.feed import touch
from sync.messages import N_
from sync.registry import MutationContext, kind_for
from sync.tables import SyncConflict

KIND = "conflict"
CHOICES = ("server", "device")


def as_record(row: dict) -> dict:
    """A conflict as devices and the supervisor's list see it."""
    return {
        "id": row["conflict_id"],
        "kind": row["kind"],
        "record_id": row["record_id"],
        "fields": row["fields"],
        "base_version": row["base_version"],
        "server_version": row["server_version"],
        "status": row["status"],
        "client_id": row["client_id"],
        "mutation_id": row["mutation_id"],
        "user_id": row["user_id"],
        "created_at": row["created_at"].isoformat(),
        "resolved_by": row["resolved_by"],
        "resolved_at": row["resolved_at"].isoformat() if row["resolved_at"] else None,
        "resolution": row["resolution"] or {},
    }


async def record_conflict(
    ctx: MutationContext, *, kind: str, record_id: str, area_path: str, fields: dict[str, dict[str, Any]], server_version: int
) -> dict:
    """Keep a device's overlapping values (inside the push transaction); answers the conflict."""
    row = {
        "conflict_id": str(uuid.uuid4()),
        "kind": kind,
        "record_id": str(record_id),
        "area_path": area_path,
        "fields": fields,
        "base_version": ctx.base_version,
        "server_version": server_version,
        "status": "open",
        "client_id": ctx.client_id,
        "mutation_id": ctx.mutation_id,
        "user_id": ctx.user_id or 0,
        "created_at": ctx.received_at or now(),
        "resolved_by": None,
        "resolved_at": None,
        "resolution": {},
    }
    await SyncConflict.insert(SyncConflict(**row))
    await touch(KIND, row["conflict_id"], area_path, new=True)
    return as_record(row)


def _scoped(scope_path: str):
    return SyncConflict.area_path.like(f"{scope_path}%")


async def load(scope_path: str, ids: list[str]) -> dict[str, dict]:
    """The pull's loader for conflicts inside `scope_path`."""
    rows = await SyncConflict.select().where(SyncConflict.conflict_id.is_in(ids) & _scoped(scope_path)).output(load_json=True)
    return {row["conflict_id"]: as_record(row) for row in rows}


async def list_conflicts(scope_path: str, *, status: str | None = "open", limit: int = 200) -> list[dict]:
    query = SyncConflict.select().where(_scoped(scope_path)).output(load_json=True)
    if status:
        query = query.where(SyncConflict.status == status)
    rows = await query.order_by(SyncConflict.id, ascending=False).limit(limit)
    return [as_record(row) for row in rows]


async def get_conflict(scope_path: str, conflict_id: str) -> dict:
    row = await SyncConflict.select().where((SyncConflict.conflict_id == str(conflict_id)) & _scoped(scope_path)).output(load_json=True).first()
    if row is None:
        raise ConflictNotFound(N_("找不到该冲突记录，或您无权查看。"))
    return as_record(row)


async def resolve(actor: Any, user_id: int, scope_path: str, conflict_id: str, choices: dict[str, str]) -> dict:
    """Settle a conflict: per field keep the server's value or write the device's one; answers
    {"conflict", "record", "stale"}. A device value chosen over a server value that changed again
    since the conflict was recorded settles nothing: `stale` names those fields and the conflict,
    still open, holds the current values (see `_refresh`); the caller refuses with them."""
    db = SyncConflict._meta.db
    async with write_transaction(db):
        query = SyncConflict.select().where((SyncConflict.conflict_id == str(conflict_id)) & _scoped(scope_path)).output(load_json=True)
        if isinstance(db, PostgresEngine):
            query = query.lock_rows("UPDATE")  # a second resolution waits, then finds it resolved (SQLite: BEGIN IMMEDIATE)
        row = await query.first()
        if row is None:
            raise ConflictNotFound(N_("找不到该冲突记录，或您无权查看。"))
        if row["status"] != "open":
            raise ConflictClosed(N_("该冲突已处理，未按这次的选择更改；请查看处理结果。"), extra={"conflict": as_record(row)})
        fields = row["fields"]
        missing = sorted(set(fields) - set(choices))
        if missing:
            raise BadRequest(N_("请为每个字段选择保留服务器的值或设备的值：{fields}", fields=", ".join(missing)), field="choices")
        unknown = sorted(set(choices) - set(fields))
        if unknown:
            raise BadRequest(N_("冲突中没有这些字段：{fields}", fields=", ".join(unknown)), field="choices")
        if any(choice not in CHOICES for choice in choices.values()):
            raise BadRequest(N_("每个字段只能选择 server（服务器的值）或 device（设备的值）"), field="choices")
        device_values = {name: fields[name]["device"] for name, choice in choices.items() if choice == "device"}
        record = None
        if device_values:
            kind = kind_for(row["kind"])
            if kind is None or kind.apply_fields is None:
                raise BadRequest(N_("该类记录不支持采用设备的值。"), field="choices")
            stale = await _refresh(actor, row, kind, device_values)
            if stale:
                return {"conflict": as_record(row), "record": None, "stale": stale}
            record = await kind.apply_fields(actor, row["record_id"], device_values)
        at = now()
        await SyncConflict.update(
            {SyncConflict.status: "resolved", SyncConflict.resolved_by: user_id, SyncConflict.resolved_at: at, SyncConflict.resolution: choices}
        ).where(SyncConflict.id == row["id"])
        await touch(KIND, row["conflict_id"], row["area_path"])
        row.update(status="resolved", resolved_by=user_id, resolved_at=at, resolution=choices)
    return {"conflict": as_record(row), "record": record, "stale": []}


def _same(a: Any, b: Any) -> bool:
    """Equal as a conflict stores values (JSON)."""
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


async def _refresh(actor: Any, row: dict, kind: Any, device_values: dict[str, Any]) -> list[str]:
    """The fields whose device value was chosen over a server value that changed again since the
    conflict was recorded (and is not the device's value either): writing it would overwrite a
    change nobody deciding had seen. When there are any, the conflict keeps its status and takes
    the record's current values and version (kept by the caller's transaction) for the person to
    decide again; answers them, sorted."""
    if kind.read_fields is None:
        return []
    current, version = await kind.read_fields(actor, row["record_id"])
    fields = row["fields"]
    stale = sorted(name for name, device in device_values.items()
                   if not _same(current.get(name), fields[name]["server"]) and not _same(current.get(name), device))
    if not stale:
        return []
    refreshed = {name: {**values, "server": current.get(name)} for name, values in fields.items()}
    await SyncConflict.update({SyncConflict.fields: refreshed, SyncConflict.server_version: version}).where(SyncConflict.id == row["id"])
    await touch(KIND, row["conflict_id"], row["area_path"])
    row.update(fields=refreshed, server_version=version)
    return stale
