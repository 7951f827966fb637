"""Writing audit events. Each event's hash covers its content and the previous event's hash,
so that any edit or deletion breaks the chain (checked by `doorstep audit verify`)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from piccolo.engine.postgres import PostgresEngine

from server.accounts.current import CurrentUser
from server.audit.tables import AuditEvent
from server.clock import now
from sync.db import write_transaction

_CHAIN_LOCK = 7_340_001  # PostgreSQL advisory lock key that serialises appends to the chain


def event_hash(prev_hash: str, at: datetime, actor_id: int | None, action: str, target_type: str, target_id: str, detail: dict) -> str:
    payload = json.dumps(
        [prev_hash, at.isoformat(), actor_id, action, target_type, target_id, detail],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


async def record(
    actor: CurrentUser | None,
    action: str,
    target_type: str = "",
    target_id: str = "",
    detail: dict | None = None,
    *,
    actor_id: int | None = None,
    actor_name: str = "",
) -> None:
    """Append one event. `actor` is the signed-in person; `actor_id` for events before sign-in."""
    detail = detail or {}
    at = now()
    uid = actor.id if actor else actor_id
    name = actor.display_name if actor else actor_name
    db = AuditEvent._meta.db
    async with write_transaction(db):
        if isinstance(db, PostgresEngine):
            await db.run_ddl(f"SELECT pg_advisory_xact_lock({_CHAIN_LOCK})")
        last = await AuditEvent.select(AuditEvent.hash).order_by(AuditEvent.id, ascending=False).first()
        prev = last["hash"] if last else ""
        await AuditEvent.insert(
            AuditEvent(
                at=at,
                actor=uid,
                actor_name=name,
                action=action,
                target_type=target_type,
                target_id=str(target_id),
                detail=detail,
                prev_hash=prev,
                hash=event_hash(prev, at, uid, action, target_type, str(target_id), detail),
            )
        )
