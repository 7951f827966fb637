"""Push: apply a device's mutations exactly once, in order.

One push is one write transaction (BEGIN IMMEDIATE on SQLite; the client's row locked FOR
UPDATE on PostgreSQL), so the effects of the applied mutations and the client's
`last_mutation_id` commit together or not at all. Each mutation runs under a savepoint: a
`Rejected` one is rolled back on its own and the queue moves on. A mutation with a batched
form stages its rows instead (sync/batch.py): it needs no savepoint, and the rows of the
whole batch are inserted at its end, a statement per table. The engine's own rows (the
mutation log, the client, the change feed) are written the same way, with plain SQL. A handler
that fails unexpectedly is answered `retry`, and `rejected` once it has failed `max_attempts`
times (sync/failures.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import msgspec

from sync import failures, feed, sql
from sync.batch import Batch, BatchFailed
from sync.caller import Caller
from sync.clock import now
from sync.db import write_transaction
from sync.epoch import epoch_of_transaction
from sync.errors import ClientNotYours
from sync.messages import N_
from sync.registry import MutationContext, Rejected, RetryLater, StaleState, batched_handler_for, handler_for
from sync.tables import SyncClient

log = logging.getLogger("doorstep.sync")

APPLIED, DUPLICATE, CONFLICT, REJECTED, RETRY, GAP = "applied", "duplicate", "conflict", "rejected", "retry", "gap"


def _plain_text(value: object) -> str:
    """msgspec refuses subclasses of str; a reason may be one (server.i18n.Message): its text."""
    if isinstance(value, str):
        return str(value)
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


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


async def _lock_client(connection: sql.Connection, client_id: str, user_id: int, at: datetime) -> dict:
    """The client's row, created on first use, locked for this transaction."""
    await connection.execute(
        "INSERT INTO sync_client (client_id, user_id, last_mutation_id, epoch, created_at) VALUES (?, ?, 0, '', ?) ON CONFLICT (client_id) DO NOTHING",
        client_id,
        user_id,
        at,
    )
    lock = " FOR UPDATE" if connection.postgres else ""  # SQLite: BEGIN IMMEDIATE holds the write lock
    rows = await connection.fetch(f"SELECT id, user_id, last_mutation_id, epoch FROM sync_client WHERE client_id = ?{lock}", client_id)
    return rows[0]


async def _stored_answers(connection: sql.Connection, client_id: str, ids: list[int]) -> dict[int, dict]:
    found: dict[int, dict] = {}
    for chunk in sql.chunks(ids):
        rows = await connection.fetch(
            f"SELECT mutation_id, result FROM sync_mutation WHERE client_id = ? AND mutation_id IN ({sql.placeholders(len(chunk))})", client_id, *chunk
        )
        found.update({row["mutation_id"]: msgspec.json.decode(row["result"]) for row in rows})
    return found


def _duplicate(mutation_id: int, original: dict | None) -> dict:
    if original is None:  # answered before the server was restored from a backup without it
        return {"id": mutation_id, "status": DUPLICATE, "original_status": None, "reason": N_("该操作早已处理（服务器已从备份恢复，原结果不可用）")}
    return {**original, "id": mutation_id, "status": DUPLICATE, "original_status": original["status"]}


def _gap(mutation_id: int, last: int) -> dict:
    return {
        "id": mutation_id,
        "status": GAP,
        "reason": N_("操作编号不连续：服务器已确认到 {last}，下一个应为 {expected}，收到 {received}；请从 {expected} 起按顺序重发", last=last, expected=last + 1, received=mutation_id),
        "expected_id": last + 1,
    }


def _answer(mutation_id: int, result: dict | None) -> dict:
    """The answer of a handler that returned: applied, or conflict when it kept one."""
    result = dict(result or {})
    conflict = result.pop("conflict", None)
    if conflict is not None:
        return {"id": mutation_id, "status": CONFLICT, "result": result, "conflict": conflict}
    return {"id": mutation_id, "status": APPLIED, "result": result}


def _refusal(mutation_id: int, exc: Rejected | RetryLater) -> tuple[dict, bool]:
    """The answer of a handler that raised (answer, stop_the_batch)."""
    if isinstance(exc, StaleState):
        return {"id": mutation_id, "status": CONFLICT, "reason": exc.reason, "field": exc.field, "expected": exc.expected, "actual": exc.actual}, False
    retry = isinstance(exc, RetryLater)
    answer = {"id": mutation_id, "status": RETRY if retry else REJECTED, "reason": exc.reason}
    # A retry may say what it waits for (code, details); a rejection names the argument at fault.
    extras = {"code": exc.code, "details": exc.details} if retry else {"field": exc.field, "details": exc.details}
    answer.update((key, value) for key, value in extras.items() if value)
    return answer, retry


async def _keep(exc: Rejected | RetryLater) -> None:
    """What a retry keeps although nothing is applied (RetryLater.keep), once its writes are undone."""
    if isinstance(exc, RetryLater) and exc.keep is not None:
        await exc.keep()


async def _apply_plain(txn, ctx: MutationContext, mutation: Mutation, max_attempts: int) -> tuple[dict, bool]:
    """Run the plain handler under a savepoint; answers (answer, stop_the_batch)."""
    handler = handler_for(mutation.name)
    assert handler is not None
    savepoint = await txn.savepoint()
    saved = feed.checkpoint()
    try:
        result = await handler(ctx, mutation.args)
    except (Rejected, RetryLater) as exc:
        await savepoint.rollback_to()
        feed.restore(saved)
        await _keep(exc)
        return _refusal(mutation.id, exc)
    except Exception as exc:  # a passing database error (retry) or a bug (retry, then rejected)
        await savepoint.rollback_to()
        feed.restore(saved)
        return await failures.answer_failure(sql.in_transaction(txn.engine), ctx.client_id, mutation.id, mutation.name, exc, max_attempts)
    await savepoint.release()
    return _answer(mutation.id, result), False


async def _apply_batched(ctx: MutationContext, mutation: Mutation, batch: Batch) -> tuple[dict, bool] | None:
    """Run the batched form, which stages rows instead of writing; None when it leaves the mutation to the plain handler."""
    batched = batched_handler_for(mutation.name)
    if batched is None:
        return None
    mark, saved = batch.mark(), feed.checkpoint()
    try:
        result = await batched(ctx, mutation.args, batch)
    except (Rejected, RetryLater) as exc:
        batch.drop_since(mark)
        feed.restore(saved)
        await batch.settle()  # the failed form may have changed facts before it raised
        await _keep(exc)
        return _refusal(mutation.id, exc)
    except Exception as exc:  # the plain handler, under a savepoint, will say what to answer
        raise BatchFailed(f"batched form of {mutation.name} #{mutation.id} failed: {exc!r}") from exc
    if result is None:
        batch.drop_since(mark)
        feed.restore(saved)
        return None
    return _answer(mutation.id, result), False


async def _apply(txn, ctx: MutationContext, mutation: Mutation, batch: Batch | None, max_attempts: int) -> tuple[dict, bool]:
    """Apply one mutation; answers (answer, stop_the_batch)."""
    if handler_for(mutation.name) is None:
        return {"id": mutation.id, "status": REJECTED, "reason": N_("未知的操作：{name}", name=mutation.name), "field": "name"}, False
    if batch is not None:
        outcome = await _apply_batched(ctx, mutation, batch)
        if outcome is not None:
            return outcome
        await batch.settle()  # the plain handler reads the database: it must hold the staged rows
    return await _apply_plain(txn, ctx, mutation, max_attempts)


def _log_row(client_id: str, caller: Caller, mutation: Mutation, answer: dict, created_at: datetime | None, received_at: datetime) -> tuple:
    return (
        client_id,
        mutation.id,
        mutation.name,
        msgspec.json.encode(mutation.args).decode(),
        mutation.base_version,
        answer["status"],
        msgspec.json.encode(answer, enc_hook=_plain_text).decode(),
        caller.user_id,
        caller.passkey_id,
        caller.session_id,
        created_at,
        received_at,
    )


_LOG_COLUMNS = (
    "client_id",
    "mutation_id",
    "name",
    "args",
    "base_version",
    "status",
    "result",
    "user_id",
    "passkey_id",
    "session_id",
    "created_at",
    "received_at",
)


async def push(caller: Caller, client_id: str, mutations: list[Mutation], *, max_attempts: int = failures.DEFAULT_MAX_ATTEMPTS) -> dict[str, Any]:
    """Apply a batch for `client_id`; answers {"last_mutation_id", "epoch", "results"}.

    A mutation whose handler fails unexpectedly is answered `retry`, and `rejected` at its
    `max_attempts`-th failure (sync/failures.py). Raises ClientNotYours when another person
    first used this client id.
    """
    try:
        return await _push(caller, client_id, mutations, batched=True, max_attempts=max_attempts)
    except BatchFailed:
        log.warning("batched push of client %s failed; applying it again one mutation at a time", client_id, exc_info=True)
        return await _push(caller, client_id, mutations, batched=False, max_attempts=max_attempts)


async def _push(caller: Caller, client_id: str, mutations: list[Mutation], *, batched: bool, max_attempts: int) -> dict[str, Any]:
    """One attempt in one transaction; with `batched`, mutations that have a batched form use it."""
    db = SyncClient._meta.db
    received_at = now()
    results: list[dict] = []
    async with write_transaction(db) as txn:
        connection = sql.in_transaction(db)
        epoch = await epoch_of_transaction(connection)
        client = await _lock_client(connection, client_id, caller.user_id, received_at)
        if client["user_id"] != caller.user_id:
            raise ClientNotYours(N_("该设备标识已由其他用户使用；请在本设备上重新登录以获得新的设备标识。"), field="client_id")
        last = client["last_mutation_id"]
        # A server restored from a backup may have forgotten this client's latest mutations;
        # the device cannot re-send what it already removed, so the first id after the
        # epoch changed may skip ahead once. Within an epoch a gap is always refused.
        may_skip = client["epoch"] != "" and client["epoch"] != epoch
        stored = await _stored_answers(connection, client_id, [m.id for m in mutations if m.id <= last])
        failed_before = await failures.any_recorded(connection, client_id)
        log_rows: list[tuple] = []
        batch = Batch(db, mutations)
        async with feed.batched_changes():
            for mutation in mutations:
                if mutation.id <= last:
                    results.append(_duplicate(mutation.id, stored.get(mutation.id)))
                    continue
                if mutation.id != last + 1 and not may_skip:
                    results.append(_gap(mutation.id, last))
                    break
                try:
                    created_at = parse_created_at(mutation.created_at)
                except (TypeError, ValueError):
                    answer, stop = {"id": mutation.id, "status": REJECTED, "reason": N_("created_at 不是有效的 ISO 8601 时间"), "field": "created_at"}, False
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
                        extra={"batch": batch.cache},
                    )
                    answer, stop = await _apply(txn, ctx, mutation, batch if batched else None, max_attempts)
                results.append(answer)
                if stop:
                    break
                may_skip = False
                last = mutation.id
                stored[mutation.id] = answer
                log_rows.append(_log_row(client_id, caller, mutation, answer, created_at, received_at))
            await batch.write()
        await connection.insert_rows("sync_mutation", _LOG_COLUMNS, log_rows)
        if failed_before:
            await failures.forget_settled(connection, client_id, last)
        await connection.execute(
            "UPDATE sync_client SET last_mutation_id = ?, epoch = ?, last_push_at = ? WHERE id = ?", last, epoch, received_at, client["id"]
        )
    return {"last_mutation_id": last, "epoch": epoch, "results": results}


async def last_mutation_id(client_id: str | None, user_id: int) -> int:
    """What the server confirmed for this client (0 for an unknown one). Raises ClientNotYours."""
    if not client_id:
        return 0
    row = await SyncClient.select(SyncClient.user_id, SyncClient.last_mutation_id).where(SyncClient.client_id == client_id).first()
    if row is None:
        return 0
    if row["user_id"] != user_id:
        raise ClientNotYours(N_("该设备标识已由其他用户使用。"), field="client_id")
    return row["last_mutation_id"]
