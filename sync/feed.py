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

from piccolo.engine.postgres import PostgresEngine

from sync.db import write_transaction
from sync.registry import kind_for, registered_kinds
from sync.tables import SyncChange

_FEED_LOCK = 7_340_002  # PostgreSQL advisory lock key serialising writers of the feed

# (kind, record_id) -> (area path or None when the record is gone, created in this batch?)
_Buffer = dict[tuple[str, str], tuple[str | None, bool]]
_buffer: ContextVar[_Buffer | None] = ContextVar("sync_change_buffer", default=None)


async def touch(kind: str, record_id: str, area_path: str | None, *, new: bool = False) -> None:
    """Record that `record_id` of `kind` changed and now lives in `area_path` (None: deleted).

    `new=True` when the record was just created (saves a lookup). Call it inside the writing
    transaction; outside a push it writes at once in a transaction of its own (or the caller's).
    """
    key = (kind, str(record_id))
    buffer = _buffer.get()
    if buffer is not None:
        previous = buffer.get(key)
        buffer[key] = (area_path, new and (previous is None or previous[1]))
        return
    async with write_transaction(SyncChange._meta.db):
        await _flush({key: (area_path, new)})


@contextlib.asynccontextmanager
async def batched_changes():
    """Buffer touches for the enclosed block (inside a transaction) and write them at its end."""
    buffer: _Buffer = {}
    token = _buffer.set(buffer)
    try:
        yield buffer
    finally:
        _buffer.reset(token)
    if buffer:
        await _flush(buffer)


def checkpoint() -> _Buffer | None:
    """A copy of the pending touches, to restore when a savepoint is rolled back."""
    buffer = _buffer.get()
    return dict(buffer) if buffer is not None else None


def restore(saved: _Buffer | None) -> None:
    buffer = _buffer.get()
    if buffer is not None and saved is not None:
        buffer.clear()
        buffer.update(saved)


async def _lock(db) -> None:
    if isinstance(db, PostgresEngine):
        await db.run_ddl(f"SELECT pg_advisory_xact_lock({_FEED_LOCK})")


async def _flush(buffer: _Buffer) -> None:
    db = SyncChange._meta.db
    await _lock(db)
    existing: dict[tuple[str, str], list[dict]] = {}
    by_kind: dict[str, list[str]] = {}
    for (kind, record_id), (_area, new) in buffer.items():
        if not new:
            by_kind.setdefault(kind, []).append(record_id)
    for kind, ids in by_kind.items():
        for start in range(0, len(ids), 500):
            rows = await SyncChange.select(SyncChange.seq, SyncChange.record_id, SyncChange.area_path, SyncChange.op).where(
                (SyncChange.kind == kind) & SyncChange.record_id.is_in(ids[start : start + 500])
            )
            for row in rows:
                existing.setdefault((kind, row["record_id"]), []).append(row)
    stale: list[int] = []
    tombstones: list[SyncChange] = []
    upserts: list[SyncChange] = []
    for (kind, record_id), (area, _new) in buffer.items():
        for row in existing.get((kind, record_id), []):
            if row["area_path"] == area:
                stale.append(row["seq"])
            elif row["op"] == "upsert":
                stale.append(row["seq"])
                tombstones.append(SyncChange(kind=kind, record_id=record_id, area_path=row["area_path"], op="delete"))
        if area is not None:
            upserts.append(SyncChange(kind=kind, record_id=record_id, area_path=area, op="upsert"))
    for start in range(0, len(stale), 500):
        await SyncChange.delete().where(SyncChange.seq.is_in(stale[start : start + 500]))
    # Tombstones first: a caller who sees both areas ends with the record present.
    for rows in (tombstones, upserts):
        for start in range(0, len(rows), 500):
            await SyncChange.insert(*rows[start : start + 500])


async def backfill() -> int:
    """Feed in the records of every registered kind that the feed does not know yet.

    Run at start-up and before a pull from scratch: records written by other means (the demo,
    an import, a restored database) reach devices too. Answers how many were added.
    """
    added = 0
    for name in registered_kinds():
        kind = kind_for(name)
        if kind is None or kind.list_all is None:
            continue
        records = await kind.list_all()
        if not records:
            continue
        db = SyncChange._meta.db
        # What the feed knows is read under the feed's lock: two pulls from scratch at once
        # must not both add the same record.
        async with write_transaction(db):
            await _lock(db)
            known = {row["record_id"] for row in await SyncChange.raw("SELECT record_id FROM sync_change WHERE kind = {}", name)}
            missing = {(name, str(rid)): (path, True) for rid, path in records if str(rid) not in known}
            if missing:
                await _flush(missing)
        added += len(missing)
    return added
