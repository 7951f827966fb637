"""Handlers that fail unexpectedly: a passing database error is retried, a bug is retried a few times.

A handler that raises something other than `Rejected` or `RetryLater` applied nothing (its
savepoint is rolled back). When the error may pass by itself (the connection was lost, a lock
or statement timed out, a serialization failure or deadlock) the device simply retries. Any
other error is probably a bug that fails the same way every time: the attempts at that
(client, mutation) are counted in `sync_failure`, committed with the push, and the attempt
that reaches the limit is answered `rejected`, so that the device's later mutations move on.
"""

from __future__ import annotations

import logging
import sqlite3

from asyncpg.exceptions import InterfaceError as ClientConnectionError

from sync import sql
from sync.clock import now
from sync.messages import N_

log = logging.getLogger("doorstep.sync")

DEFAULT_MAX_ATTEMPTS = 5
HANDLER_ERROR = "handler_error"
RETRY_REASON = N_("服务器处理该操作时出错，稍后将自动重试")
REJECTED_REASON = N_("服务器处理此操作时多次出错，已记录；此操作未执行，请联系管理员")

# SQLSTATE classes and codes of errors that pass: connection (08), transaction rollback
# (40: serialization failure, deadlock), insufficient resources (53), operator intervention
# (57: statement timeout, shutdown), lock not available (55P03), system error (58).
_PASSING_CLASSES = ("08", "40", "53", "57", "58")
_PASSING_CODES = ("55P03",)
_PASSING_SQLITE = ("locked", "busy", "disk i/o", "unable to open")


def _passes(exc: BaseException) -> bool:
    if isinstance(exc, (ConnectionError, TimeoutError, ClientConnectionError)):
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return any(words in str(exc).lower() for words in _PASSING_SQLITE)
    sqlstate = getattr(exc, "sqlstate", None)  # asyncpg's PostgresError
    return isinstance(sqlstate, str) and (sqlstate.startswith(_PASSING_CLASSES) or sqlstate in _PASSING_CODES)


def is_passing(exc: BaseException) -> bool:
    """Whether `exc` (or an error it was raised from) is one that may pass by itself."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if _passes(current):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


async def count_attempt(connection: sql.Connection, client_id: str, mutation_id: int, exc: BaseException) -> int:
    """Count one more failed attempt at this mutation, in the push's transaction; answers the count (one statement)."""
    at = now()
    error = f"{type(exc).__name__}: {exc}"[:255]
    rows = await connection.fetch(
        "INSERT INTO sync_failure (client_id, mutation_id, attempts, last_error, updated_at) VALUES (?, ?, 1, ?, ?) "
        "ON CONFLICT (client_id, mutation_id) DO UPDATE SET attempts = sync_failure.attempts + 1, last_error = excluded.last_error, updated_at = excluded.updated_at "
        "RETURNING attempts",
        client_id,
        mutation_id,
        error,
        at,
    )
    return rows[0]["attempts"]


async def any_recorded(connection: sql.Connection, client_id: str) -> bool:
    """Whether failed attempts of this client are counted (read once per push)."""
    return bool(await connection.fetch("SELECT mutation_id FROM sync_failure WHERE client_id = ? LIMIT 1", client_id))


async def forget_settled(connection: sql.Connection, client_id: str, last_mutation_id: int) -> None:
    """Drop the counts of mutations that are settled now (applied after failing before)."""
    await connection.execute("DELETE FROM sync_failure WHERE client_id = ? AND mutation_id <= ?", client_id, last_mutation_id)


async def answer_failure(connection: sql.Connection, client_id: str, mutation_id: int, name: str, exc: BaseException, max_attempts: int) -> tuple[dict, bool]:
    """The answer to a handler's unexpected error (answer, stop_the_batch): retry, or rejected at the limit."""
    if is_passing(exc):
        log.warning("mutation %s #%s of client %s met a passing error; the device retries", name, mutation_id, client_id, exc_info=exc)
        return {"id": mutation_id, "status": "retry", "reason": RETRY_REASON}, True
    attempts = await count_attempt(connection, client_id, mutation_id, exc)
    if attempts < max_attempts:
        log.error("mutation %s #%s of client %s failed (attempt %s of %s)", name, mutation_id, client_id, attempts, max_attempts, exc_info=exc)
        return {"id": mutation_id, "status": "retry", "reason": RETRY_REASON, "attempts": attempts}, True
    log.error("mutation %s #%s of client %s failed %s times: rejected", name, mutation_id, client_id, attempts, exc_info=exc)
    await connection.execute("DELETE FROM sync_failure WHERE client_id = ? AND mutation_id = ?", client_id, mutation_id)
    answer = {"id": mutation_id, "status": "rejected", "reason": REJECTED_REASON, "code": HANDLER_ERROR, "attempts": attempts}
    return answer, False
