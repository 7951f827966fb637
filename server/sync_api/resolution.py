"""Settling a conflict as a person: the engine's `sync.conflicts.resolve`, then the audit event.

Used by the online API (`POST /api/sync/conflicts/{id}/resolve`) and by the `conflict.resolve`
mutation a phone pushes from its outbox, so both write the same record and the same event.
"""

from __future__ import annotations

from typing import Any

from server.accounts.current import CurrentUser
from server.audit.services import record
from sync import conflicts

ACTION = "sync.conflict.resolve"


async def resolve_and_audit(user: CurrentUser, conflict_id: str, choices: dict[str, str], *, detail: dict[str, Any] | None = None) -> dict:
    """Resolve inside the caller's area (raises the engine's SyncError otherwise); answers {"conflict", "record"}."""
    result = await conflicts.resolve(user, user.id, user.area_path, conflict_id, choices)
    conflict = result["conflict"]
    await record(user, ACTION, "conflict", conflict_id, {"choices": choices, "kind": conflict["kind"], "record_id": conflict["record_id"], **(detail or {})})
    return result
