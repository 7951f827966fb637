"""Push: apply a device's mutations exactly once, in order.

One push is one write transaction (BEGIN IMMEDIATE on SQLite; the client's row locked FOR
UPDATE on PostgreSQL), so the effects of the applied mutations and the client's
`last_mutation_id` commit together or not at all. Each mutation runs under a savepoint: a
`Rejected` one is rolled back on its own and the queue moves on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from piccolo.engine.postgres import PostgresEngine

from sync import feed
from sync.caller import Caller
from sync.clock import now
from sync.db import write_transaction
from sync.epoch import current_epoch
from sync.errors import ClientNotYours
from sync.registry import MutationContext, Rejected, RetryLater, StaleState, handler_for
from sync.tables import SyncClient, SyncMutation

log = logging.getLogger("doorstep.sync")

APPLIED, DUPLICATE, CONFLICT, REJECTED, RETRY, GAP = "applied", "duplicate", "conflict", "rejected", "retry", "gap"


@dataclass(frozen=True)
class Mutation:
    id: int
    name: str
    args: dict
    base_version: int | None = None
    created_at: str | None = None


def parse_created_at(raw: str | None) -> datetime | None:
    """The device's capture time; a time without a zone is taken as UTC. Raises ValueError."""
    if raw is None or raw == "":
        return None
    value = datetime.fromisoformat(raw)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


async def _lock_client(db, client_id: str, user_id: int, at: datetime) -> dict:
    """The client's row, created on first use, locked for this transaction."""
    await SyncClient.insert(SyncClient(client_id=client_id, user_id=user_id, last_mutation_id=0, epoch="", created_at=at)).on_conflict(
        target=SyncClient.client_id, action="DO NOTHING"
    )
    query = SyncClient.select(SyncClient.id, SyncClient.user_id, SyncClient.last_mutation_id, SyncClient.epoch).where(
        SyncClient.client_id == client_id
    )
    if isinstance(db, PostgresEngine):
        query = query.lock_rows("UPDATE")
    row = await query.first()
    assert row is not None
    return row


async def _stored_answers(client_id: str, ids: list[int]) -> dict[int, dict]:
    if not ids:
        return {}
    rows = await SyncMutation.select(SyncMutation.mutation_id, SyncMutation.result).where(
        (SyncMutation.client_id == client_id) & SyncMutation.mutation_id.is_in(ids)
    ).output(load_json=True)
    return {row["mutation_id"]: row["result"] for row in rows}


def _duplicate(mutation_id: int, original: dict | None) -> dict:
    if original is None:  # answered before the server was restored from a backup without it
        return {"id": mutation_id, "status": DUPLICATE, "original_status": None, "reason": "该操作早已处理（服务器已从备份恢复，原结果不可用）"}
    return {**original, "id": mutation_id, "status": DUPLICATE, "original_status": original["status"]}


async def _apply_one(txn, ctx: MutationContext, mutation: Mutation) -> tuple[dict, bool]:
    """Run one handler under a savepoint; answers (answer, stop_the_batch)."""
    handler = handler_for(mutation.name)
    if handler is None:
        return {"id": mutation.id, "status": REJECTED, "reason": f"未知的操作：{mutation.name}", "field": "name"}, False
    savepoint = await txn.savepoint()
    saved = feed.checkpoint()
    try:
        result = await handler(ctx, mutation.args)
    except StaleState as exc:
        await savepoint.rollback_to()
        feed.restore(saved)
        answer = {"id": mutation.id, "status": CONFLICT, "reason": exc.reason, "field": exc.field, "expected": exc.expected, "actual": exc.actual}
        return answer, False
    except Rejected as exc:
        await savepoint.rollback_to()
        feed.restore(saved)
        answer = {"id": mutation.id, "status": REJECTED, "reason": exc.reason}
        if exc.field:
            answer["field"] = exc.field
        if exc.details:
            answer["details"] = exc.details
        return answer, False
    except RetryLater as exc:
        await savepoint.rollback_to()
        feed.restore(saved)
        return {"id": mutation.id, "status": RETRY, "reason": exc.reason}, True
    except Exception:  # a bug or a passing database error: nothing applied, the device retries
        log.exception("mutation %s #%s of client %s failed", mutation.name, mutation.id, ctx.client_id)
        await savepoint.rollback_to()
        feed.restore(saved)
        return {"id": mutation.id, "status": RETRY, "reason": "服务器处理该操作时出错，稍后将自动重试"}, True
    await savepoint.release()
    result = dict(result or {})
    conflict = result.pop("conflict", None)
    if conflict is not None:
        return {"id": mutation.id, "status": CONFLICT, "result": result, "conflict": conflict}, False
    return {"id": mutation.id, "status": APPLIED, "result": result}, False


async def push(caller: Caller, client_id: str, mutations: list[Mutation]) -> dict[str, Any]:
    """Apply a batch for `client_id`; answers {"last_mutation_id", "epoch", "results"}.

    Raises ClientNotYours when another person first used this client id.
    """
    db = SyncClient._meta.db
    epoch = await current_epoch()
    received_at = now()
    results: list[dict] = []
    async with write_transaction(db) as txn:
        client = await _lock_client(db, client_id, caller.user_id, received_at)
        if client["user_id"] != caller.user_id:
            raise ClientNotYours("该设备标识已由其他用户使用；请在本设备上重新登录以获得新的设备标识。", field="client_id")
        last = client["last_mutation_id"]
        # A server restored from a backup may have forgotten this client's latest mutations;
        # the device cannot re-send what it already removed, so the first id after the
        # epoch changed may skip ahead once. Within an epoch a gap is always refused.
        may_skip = client["epoch"] != "" and client["epoch"] != epoch
        stored = await _stored_answers(client_id, [m.id for m in mutations if m.id <= last])
        records: list[SyncMutation] = []
        batch_cache: dict = {}  # shared by the handlers of this batch (e.g. looked-up areas)
        async with feed.batched_changes():
            for mutation in mutations:
                if mutation.id <= last:
                    results.append(_duplicate(mutation.id, stored.get(mutation.id)))
                    continue
                if mutation.id != last + 1 and not may_skip:
                    results.append(
                        {
                            "id": mutation.id,
                            "status": GAP,
                            "reason": f"操作编号不连续：服务器已确认到 {last}，下一个应为 {last + 1}，收到 {mutation.id}；请从 {last + 1} 起按顺序重发",
                            "expected_id": last + 1,
                        }
                    )
                    break
                try:
                    created_at = parse_created_at(mutation.created_at)
                except (TypeError, ValueError):
                    answer, stop = {"id": mutation.id, "status": REJECTED, "reason": "created_at 不是有效的 ISO 8601 时间", "field": "created_at"}, False
                    created_at = None
                else:
                    ctx = MutationContext(
                        actor=caller.actor,
                        client_id=client_id,
                        mutation_id=mutation.id,
                        created_at=created_at,
                        base_version=mutation.base_version,
                        user_id=caller.user_id,
                        passkey_id=caller.passkey_id,
                        session_id=caller.session_id,
                        received_at=received_at,
                        extra={"batch": batch_cache},
                    )
                    answer, stop = await _apply_one(txn, ctx, mutation)
                results.append(answer)
                if stop:
                    break
                may_skip = False
                last = mutation.id
                stored[mutation.id] = answer
                records.append(
                    SyncMutation(
                        client_id=client_id,
                        mutation_id=mutation.id,
                        name=mutation.name,
                        args=mutation.args,
                        base_version=mutation.base_version,
                        status=answer["status"],
                        result=answer,
                        user_id=caller.user_id,
                        passkey_id=caller.passkey_id,
                        session_id=caller.session_id,
                        created_at=created_at,
                        received_at=received_at,
                    )
                )
        if records:
            await SyncMutation.insert(*records)
        await SyncClient.update(
            {SyncClient.last_mutation_id: last, SyncClient.epoch: epoch, SyncClient.last_push_at: received_at}
        ).where(SyncClient.id == client["id"])
    return {"last_mutation_id": last, "epoch": epoch, "results": results}


async def last_mutation_id(client_id: str | None, user_id: int) -> int:
    """What the server confirmed for this client (0 for an unknown one). Raises ClientNotYours."""
    if not client_id:
        return 0
    row = await SyncClient.select(SyncClient.user_id, SyncClient.last_mutation_id).where(SyncClient.client_id == client_id).first()
    if row is None:
        return 0
    if row["user_id"] != user_id:
        raise ClientNotYours("该设备标识已由其他用户使用。", field="client_id")
    return row["last_mutation_id"]
