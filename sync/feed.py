"""The change feed: domains call `touch()` whenever a record is written; the pull reads the feed.

A record has one row per area it has ever been in, holding the latest change `seq`. Moving a
record turns its row for the old area into a tombstone (new seq) before its row for the new
area gets a new seq, so that any caller whose scope holds either area sees the move in order.

Inside a push the touches are buffered and written once at the end of the batch
(`batched_changes`). On PostgreSQL the feed is written under a transaction-scoped advisory lock,
so change numbers become visible in the order they were handed out: a pull can never read
seq 11 while seq 10 is still uncommitted and then skip it forever.
"""

from __future__ import annotations

import contextlib
from contextvars import ContextVar

from sync import sql
from sync.clock import now
from sync.db import write_transaction
from sync.registry import kind_for, registered_kinds
from sync.tables import SyncBackfill, SyncChange

_FEED_LOCK = 7_340_002  # PostgreSQL advisory lock key serialising writers of the feed

# (kind, record_id) -> (area path or None when the record is gone, created in this batch?)
_Buffer = dict[tuple[str, str], tuple[str | None, bool]]
_ABSENT = object()


class _Pending:
    """The touches buffered in a push, with an undo journal: the touches of a mutation that is
    rolled back are taken back without copying the whole buffer for every mutation."""

    def __init__(self) -> None:
        self.changes: _Buffer = {}
        self._undo: list[tuple[tuple[str, str], object]] = []

    def put(self, key: tuple[str, str], value: tuple[str | None, bool]) -> None:
        self._undo.append((key, self.changes.get(key, _ABSENT)))
        self.changes[key] = value

    def mark(self) -> int:
        return len(self._undo)

    def back_to(self, mark: int) -> None:
        while len(self._undo) > mark:
            key, previous = self._undo.pop()
            if previous is _ABSENT:
                del self.changes[key]
            else:
                self.changes[key] = previous  # type: ignore[assignment]


_pending: ContextVar[_Pending | None] = ContextVar("sync_change_buffer", default=None)


async def touch(kind: str, record_id: str, area_path: str | None, *, new: bool = False) -> None:
    """Record that `record_id` of `kind` changed and now lives in `area_path` (None: deleted).

    `new=True` when the record was just created (saves a lookup). Call it inside the writing
    transaction; outside a push it writes at once in a transaction of its own (or the caller's).
    """
    key = (kind, str(record_id))
    pending = _pending.get()
    if pending is not None:
        previous = pending.changes.get(key)
        pending.put(key, (area_path, new and (previous is None or previous[1])))
        return
    async with write_transaction(SyncChange._meta.db):
        await _flush({key: (area_path, new)})


@contextlib.asynccontextmanager
async def batched_changes():
    """Buffer touches for the enclosed block (inside a transaction) and write them at its end."""
    pending = _Pending()
    token = _pending.set(pending)
    try:
        yield pending.changes
    finally:
        _pending.reset(token)
    if pending.changes:
        await _flush(pending.changes)


def checkpoint() -> int | None:
    """A mark in the pending touches, to go back to when a mutation is rolled back."""
    pending = _pending.get()
    return pending.mark() if pending is not None else None


def restore(mark: int | None) -> None:
    """Take back the touches made since `checkpoint()` answered `mark`."""
    pending = _pending.get()
    if pending is not None and mark is not None:
        pending.back_to(mark)


async def _lock(connection: sql.Connection) -> None:
    if connection.postgres:
        await connection.execute(f"SELECT pg_advisory_xact_lock({_FEED_LOCK})")


async def _rows_of(connection: sql.Connection, buffer: _Buffer) -> dict[tuple[str, str], list[dict]]:
    """The feed rows of the records in `buffer` that were not created in this batch."""
    by_kind: dict[str, list[str]] = {}
    for (kind, record_id), (_area, new) in buffer.items():
        if not new:
            by_kind.setdefault(kind, []).append(record_id)
    existing: dict[tuple[str, str], list[dict]] = {}
    for kind, ids in by_kind.items():
        for chunk in sql.chunks(ids):
            rows = await connection.fetch(
                f"SELECT seq, record_id, area_path, op FROM sync_change WHERE kind = ? AND record_id IN ({sql.placeholders(len(chunk))})",
                kind,
                *chunk,
            )
            for row in rows:
                existing.setdefault((kind, row["record_id"]), []).append(row)
    return existing


async def _flush(buffer: _Buffer) -> None:
    connection = sql.in_transaction(SyncChange._meta.db)
    await _lock(connection)
    existing = await _rows_of(connection, buffer)
    stale: list[int] = []
    tombstones: list[tuple] = []
    upserts: list[tuple] = []
    for (kind, record_id), (area, _new) in buffer.items():
        for row in existing.get((kind, record_id), []):
            if row["area_path"] == area:
                stale.append(row["seq"])
            elif row["op"] == "upsert":
                stale.append(row["seq"])
                tombstones.append((kind, record_id, row["area_path"], "delete"))
        if area is not None:
            upserts.append((kind, record_id, area, "upsert"))
    # Tombstones first: a caller who sees both areas ends with the record present.
    rows = tombstones + upserts
    first_seq = await _first_new_seq(connection)
    for chunk in sql.chunks(stale):
        await connection.execute(f"DELETE FROM sync_change WHERE seq IN ({sql.placeholders(len(chunk))})", *chunk)
    if first_seq is None:
        await connection.insert_rows("sync_change", ("kind", "record_id", "area_path", "op"), rows)
    else:
        numbered = [(first_seq + offset, *row) for offset, row in enumerate(rows)]
        await connection.insert_rows("sync_change", ("seq", "kind", "record_id", "area_path", "op"), numbered)


async def _first_new_seq(connection: sql.Connection) -> int | None:
    """On SQLite, the number of the next change, read before any stale row is deleted.

    SQLite numbers a new row max(seq) + 1: once the newest row is deleted its number would be
    handed out again, at or below a device's cursor, and the device would never see that change.
    PostgreSQL's sequence never goes back (None: let it number the rows).
    """
    if connection.postgres:
        return None
    rows = await connection.fetch("SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM sync_change")
    return rows[0]["next"]


async def backfill(epoch: str) -> int:
    """Feed in, once per kind and epoch, the records the feed does not know yet.

    Every write path touches the feed, so only records written by other means need this: the
    demo (which calls `forget_backfill`), a restored database (a new epoch has no markers) and
    the records of a kind registered after they were written (a kind without a marker). Called
    before a pull from scratch; once a kind's marker row exists for the epoch, it costs one
    small query. Answers how many records were added.
    """
    db = SyncChange._meta.db
    done = {row["kind"] for row in await SyncBackfill.select(SyncBackfill.kind).where(SyncBackfill.epoch == epoch)}
    added = 0
    for name in registered_kinds():
        kind = kind_for(name)
        if name in done or kind is None or kind.list_all is None:
            continue
        # Listed outside the lock: a record written meanwhile touched the feed itself.
        records = await kind.list_all()
        async with write_transaction(db):
            connection = sql.in_transaction(db)
            await _lock(connection)
            # Two pulls from scratch at once: the second finds the first one's marker.
            if await connection.fetch("SELECT kind FROM sync_backfill WHERE kind = ? AND epoch = ?", name, epoch):
                continue
            known = {row["record_id"] for row in await connection.fetch("SELECT record_id FROM sync_change WHERE kind = ?", name)}
            missing = {(name, str(rid)): (path, True) for rid, path in records if str(rid) not in known}
            if missing:
                await _flush(missing)
            await connection.insert_rows("sync_backfill", ("kind", "epoch", "done_at"), [(name, epoch, now())])
        added += len(missing)
    return added


async def forget_backfill() -> None:
    """Make the next pull from scratch back-fill every kind again (after writing records without touching the feed)."""
    async with write_transaction(SyncBackfill._meta.db):
        await SyncBackfill.delete(force=True)
