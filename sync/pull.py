"""Pull: the changes since a cursor to the records in the caller's scope.

A cursor is opaque to devices. Inside it: the epoch it was issued in, the last change number
the device has, and a tag of the scope it was issued for. A cursor from another epoch (the
server was restored) or another scope (the person was moved to another area) starts the device
over: the answer says `reset` (and `epoch_changed` for the former) and carries changes from
the beginning; the device drops its copy of the records, keeps its outbox and re-pushes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from sync import conflicts
from sync.caller import Caller
from sync.epoch import current_epoch
from sync.errors import BadRequest
from sync.feed import backfill
from sync.messages import N_
from sync.push import last_mutation_id
from sync.registry import kind_for
from sync.tables import SyncChange

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000


def scope_tag(scope_path: str) -> str:
    return hashlib.sha256(scope_path.encode()).hexdigest()[:10]


def encode_cursor(epoch: str, seq: int, scope_path: str) -> str:
    raw = f"1:{epoch}:{seq}:{scope_tag(scope_path)}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, int, str]:
    """(epoch, seq, scope tag); BadRequest when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, epoch, seq, tag = raw.split(":")
        if version != "1" or int(seq) < 0:
            raise ValueError(cursor)
        return epoch, int(seq), tag
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadRequest(N_("cursor 无效：请使用上一次同步返回的 cursor，或留空从头同步"), field="cursor") from exc


async def _load(caller: Caller, kind: str, ids: list[str]) -> dict[str, dict]:
    if kind == conflicts.KIND:
        return await conflicts.load(caller.scope_path, ids)
    record_kind = kind_for(kind)
    if record_kind is None:  # a kind no longer served: devices drop what they have of it
        return {}
    return await record_kind.load(caller.actor, ids)


async def pull(caller: Caller, cursor: str | None = None, limit: int | None = None, client_id: str | None = None) -> dict:
    """Answers {"epoch", "epoch_changed", "reset", "cursor", "has_more", "last_mutation_id", "changes"}."""
    limit = DEFAULT_LIMIT if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(N_("limit 应在 1 到 {most} 之间", most=MAX_LIMIT), field="limit")
    epoch = await current_epoch()
    since, reset, epoch_changed = 0, False, False
    if cursor:
        cursor_epoch, cursor_seq, tag = decode_cursor(cursor)
        if cursor_epoch != epoch:
            reset = epoch_changed = True
        elif tag != scope_tag(caller.scope_path):
            reset = True
        else:
            since = cursor_seq
    if not since:
        await backfill(epoch)  # writes, so before the page's read-only transaction
    # The page is read in one transaction, so on one connection: outside one, Piccolo opens a
    # connection (on SQLite with a thread of its own) for every query. On SQLite the page is also
    # read from one snapshot; on PostgreSQL (read committed) each statement still sees what was
    # committed when it started, as before.
    async with SyncChange._meta.db.transaction():
        # Read what was confirmed before reading the changes: every mutation counted here has its
        # effect in the feed already, so a device never drops an outbox entry it cannot yet see.
        confirmed = await last_mutation_id(client_id, caller.user_id)
        rows = await (
            SyncChange.select(SyncChange.seq, SyncChange.kind, SyncChange.record_id)
            .where((SyncChange.seq > since) & SyncChange.area_path.like(f"{caller.scope_path}%"))
            .order_by(SyncChange.seq)
            .limit(limit + 1)
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        ids_by_kind: dict[str, list[str]] = {}
        for row in rows:
            ids_by_kind.setdefault(row["kind"], []).append(row["record_id"])
        loaded = {kind: await _load(caller, kind, ids) for kind, ids in ids_by_kind.items()}
    # One entry per record, at the place of its latest change in this page.
    latest = {(row["kind"], row["record_id"]): row["seq"] for row in rows}
    changes = []
    for row in rows:
        key = (row["kind"], row["record_id"])
        if latest[key] != row["seq"]:
            continue
        data = loaded[row["kind"]].get(row["record_id"])
        if data is not None:
            changes.append({"kind": row["kind"], "id": row["record_id"], "op": "upsert", "data": data})
        elif since:  # a device starting from nothing has nothing to delete
            changes.append({"kind": row["kind"], "id": row["record_id"], "op": "delete"})
    next_seq = rows[-1]["seq"] if rows else since
    return {
        "epoch": epoch,
        "epoch_changed": epoch_changed,
        "reset": reset,
        "cursor": encode_cursor(epoch, next_seq, caller.scope_path),
        "has_more": has_more,
        "last_mutation_id": confirmed,
        "changes": changes,
    }
