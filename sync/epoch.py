"""Epochs: the server's promise not to go back in time silently.

Every cursor carries the epoch it was issued in. Restoring a backup starts a new epoch
(`start_new_epoch`), so devices holding cursors or mutation ids from the lost future learn
that the server forgot things: they keep their outbox, re-push and pull from scratch.
"""

from __future__ import annotations

import uuid

from sync import sql
from sync.clock import now
from sync.db import write_transaction
from sync.tables import SyncEpoch


async def current_epoch() -> str:
    """The current epoch id; created on first use if the table is empty."""
    row = await SyncEpoch.select(SyncEpoch.epoch).order_by(SyncEpoch.id, ascending=False).first()
    if row is not None:
        return row["epoch"]
    return await start_new_epoch("first use")


async def epoch_of_transaction(connection: sql.Connection) -> str:
    """current_epoch, read on the connection of the open write transaction (the push's)."""
    rows = await connection.fetch("SELECT epoch FROM sync_epoch ORDER BY id DESC LIMIT 1")
    return rows[0]["epoch"] if rows else await start_new_epoch("first use")


async def start_new_epoch(reason: str = "restore") -> str:
    """Begin a new epoch (e.g. after `doorstep restore`); answers its id."""
    epoch = uuid.uuid4().hex
    async with write_transaction(SyncEpoch._meta.db):
        await SyncEpoch.insert(SyncEpoch(epoch=epoch, started_at=now(), reason=reason[:100]))
    return epoch
