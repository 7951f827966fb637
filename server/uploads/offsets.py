"""The stored offset, the one a device resumes from, and its checkpoints during a long request.

Bytes reach the partial file before the offset moves past them, never after: a crash leaves
the file at or beyond the stored offset, and what lies beyond is cut off before the next write.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta
from uuid import UUID

from server.clock import now
from server.i18n import N_
from server.settings import get_settings
from server.uploads.protocol import TusError
from server.uploads.tables import RECEIVING, Upload

# The stored offset moves after CHECKPOINT bytes, but not more often than every CHECKPOINT_SECONDS:
# a slow phone loses at most 8 MiB to a crash, a fast link does not pay a database write per 8 MiB.
CHECKPOINT = 8 * 1024 * 1024
CHECKPOINT_SECONDS = 0.25


def expiry():
    return now() + timedelta(hours=get_settings().media.upload_expiry_hours)


async def store_offset(upload_id: UUID, expected: int, new: int) -> None:
    """Move the stored offset from `expected` to `new`; someone else having moved it is a 409."""
    moved = await (
        Upload.update({Upload.received: new, Upload.expires_at: expiry()})
        .where((Upload.id == upload_id) & (Upload.received == expected) & (Upload.status == RECEIVING))
        .returning(Upload.id)
    )
    if not moved:
        raise TusError(409, "offset_mismatch", N_("上传偏移量已被另一个请求改变，请先查询当前偏移量。"))


class Checkpoints:
    """Moves the stored offset while a long request is still arriving, every CHECKPOINT bytes
    that have reached the file (at most every CHECKPOINT_SECONDS), so a crash or a dropped
    connection loses little. The request does not wait for these updates: one runs at a time
    beside it, and `finish` waits for it."""

    def __init__(self, upload_id: UUID, offset: int) -> None:
        self.upload_id = upload_id
        self.stored = offset
        self._update: asyncio.Task | None = None
        self._last = time.monotonic()
        self._reached = offset
        self._timer: asyncio.TimerHandle | None = None

    def reached(self, position: int) -> None:
        """Bytes up to `position` are in the file (called on the event loop)."""
        self._reached = max(self._reached, position)
        if self._update is not None and not self._update.done():
            return
        if self._update is not None and (self._update.cancelled() or self._update.exception() is not None):
            return  # failed: `settle` raises it
        if self._reached - self.stored < CHECKPOINT or self._timer is not None:
            return
        wait = CHECKPOINT_SECONDS - (time.monotonic() - self._last)
        if wait > 0:  # too soon after the last one: then, even if no more bytes arrive meanwhile
            self._timer = asyncio.get_running_loop().call_later(wait, self._due)
            return
        self._last = time.monotonic()
        self._update = asyncio.ensure_future(self._store(self._reached))

    def _due(self) -> None:
        self._timer = None
        self.reached(self._reached)

    async def settle(self) -> None:
        """Wait for an update in flight (none starts after this); its failure is raised here."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._update is not None:
            update, self._update = self._update, None
            await asyncio.shield(update)

    async def finish(self, position: int) -> None:
        """The request is over: the stored offset becomes `position`."""
        await self.settle()
        if position > self.stored:
            await self._store(position)

    async def _store(self, position: int) -> None:
        await store_offset(self.upload_id, self.stored, position)
        self.stored = position
