"""Settling a conflict as a person: the engine's `sync.conflicts.resolve` and its audit event, together.

The one function for the three ways a person settles a conflict: the supervisor's case page
(`POST /review/cases/{case_id}/conflicts/{id}/resolve`), the online API
(`POST /api/sync/conflicts/{id}/resolve`) and the `conflict.resolve` mutation a phone pushes from
its outbox. Each writes the same record and one event `case.conflict_resolve` on the conflict;
the case page's history lists it under every case the conflict concerns (`conflict_ids_of_case`).

Events written before the three shared this function are read as they are (the audit log is
never rewritten): the web's `case.conflict_resolve` on the case, the API's and the phone's
`sync.conflict.resolve` on the conflict.
"""

from __future__ import annotations

from typing import Any

from server.accounts.current import CurrentUser
from server.audit.services import record
from sync import conflicts
from sync.db import write_transaction
from sync.tables import SyncConflict

ACTION = "case.conflict_resolve"
# Written on the conflict by the API and the phone before the web shared this function.
FORMER_ACTION = "sync.conflict.resolve"
TARGET = "conflict"
# Where a resolution came from, kept in the event's detail as `via`.
VIA = ("review", "api", "outbox")


async def resolve_and_audit(user: CurrentUser, conflict_id: str, choices: dict[str, str], *, via: str, detail: dict[str, Any] | None = None) -> dict:
    """Resolve inside the caller's area and audit it in the same transaction (raises the engine's
    SyncError otherwise: not found, already resolved, bad choices); answers {"conflict", "record"}."""
    if via not in VIA:
        raise ValueError(f"unknown way of resolving: {via}")
    async with write_transaction(SyncConflict._meta.db):
        result = await conflicts.resolve(user, user.id, user.area_path, conflict_id, choices)
        conflict = result["conflict"]
        await record(user, ACTION, TARGET, conflict_id,
                     {"choices": choices, "kind": conflict["kind"], "record_id": conflict["record_id"], "via": via, **(detail or {})})
    return result


async def conflict_ids_of_case(case_id: str, household_id: str) -> list[str]:
    """Every conflict, open or resolved, over the case, its finances or its household."""
    rows = await SyncConflict.select(SyncConflict.conflict_id).where(SyncConflict.record_id.is_in([str(case_id), str(household_id)]))
    return [r["conflict_id"] for r in rows]
