"""Settling a conflict as a person: the engine's `sync.conflicts.resolve` and its audit event, together.

The one function for the three ways a person settles a conflict: the supervisor's case page
(`POST /review/cases/{case_id}/conflicts/{id}/resolve`), the online API
(`POST /api/sync/conflicts/{id}/resolve`) and the `conflict.resolve` mutation a phone pushes from
its outbox. Each writes the same record and one event `case.conflict_resolve` on the conflict;
the case page's history lists it under every case the conflict concerns (`conflict_ids_of_case`).

A device value chosen over a server value that has changed again since the conflict was recorded
is never written (nothing is overwritten silently): the resolution is refused (ConflictStale,
`conflict_stale`), the conflict stays open holding the current value, and the person decides again.

Events written before the three shared this function are read as they are (the audit log is
never rewritten): the web's `case.conflict_resolve` on the case, the API's and the phone's
`sync.conflict.resolve` on the conflict.
"""

from __future__ import annotations

from typing import Any

from server.accounts.current import CurrentUser
from server.audit.services import record
from server.i18n import N_
from sync import conflicts
from sync.db import write_transaction
from sync.errors import ConflictStale
from sync.tables import SyncConflict

ACTION = "case.conflict_resolve"
# Written on the conflict by the API and the phone before the web shared this function.
FORMER_ACTION = "sync.conflict.resolve"
TARGET = "conflict"
# Where a resolution came from, kept in the event's detail as `via`.
VIA = ("review", "api", "outbox")
STALE_REASON = N_("服务器上的值在冲突记录之后又改过，未采用设备的值；冲突已改为显示当前的值，请重新选择。")


async def resolve_and_audit(user: CurrentUser, conflict_id: str, choices: dict[str, str], *, via: str, detail: dict[str, Any] | None = None) -> dict:
    """Resolve inside the caller's area and audit it in the same transaction (raises the engine's
    SyncError otherwise: not found, already resolved, bad choices, and ConflictStale when a device
    value was chosen over a server value that changed again since the conflict was recorded: then
    nothing is written but the conflict's current values, and no event); answers {"conflict", "record"}."""
    if via not in VIA:
        raise ValueError(f"unknown way of resolving: {via}")
    async with write_transaction(SyncConflict._meta.db):
        result = await conflicts.resolve(user, user.id, user.area_path, conflict_id, choices)
        conflict = result["conflict"]
        if not result["stale"]:
            await record(user, ACTION, TARGET, conflict_id,
                         {"choices": choices, "kind": conflict["kind"], "record_id": conflict["record_id"], "via": via, **(detail or {})})
    if result["stale"]:
        # Raised once the conflict, still open, holds the current values (committed with it).
        raise ConflictStale(STALE_REASON, field="choices", extra={"conflict": conflict, "stale": result["stale"]})
    return result


async def conflict_ids_of_case(case_id: str, household_id: str) -> list[str]:
    """Every conflict, open or resolved, over the case, its finances or its household."""
    rows = await SyncConflict.select(SyncConflict.conflict_id).where(SyncConflict.record_id.is_in([str(case_id), str(household_id)]))
    return [r["conflict_id"] for r in rows]
