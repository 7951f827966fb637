"""Unfinished uploads expire: their rows and partial files are removed, at start-up and hourly;
finished uploads never attached to a case are removed then too (server/uploads/unattached.py), and
the notes of task answers that waited for their evidence once they can no longer matter (their
bound is this one's: server/review/task_evidence.py). `clean_uploads` runs them all; the janitor
and `doorstep clean-uploads` call it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from server.clock import now
from server.observability.metrics import count_upload
from server.review.task_evidence import prune_answer_waits
from server.uploads import services, storage
from server.uploads.protocol import TusError
from server.uploads.tables import COMPLETE, RECEIVING, Upload
from server.uploads.unattached import remove_unattached_uploads

log = logging.getLogger("doorstep.uploads")
INTERVAL_SECONDS = 3600
ORPHAN_GRACE_SECONDS = 3600  # a partial file whose row is still being written is left alone
_task: asyncio.Task | None = None


async def cleanup_expired_uploads(at: datetime | None = None) -> int:
    """Delete every unfinished (or refused) upload past its expiry, with its bytes, and partial
    files that belong to no upload. Returns the number of uploads removed."""
    moment = at or now()
    expired = await Upload.select(Upload.id).where((Upload.status != COMPLETE) & (Upload.expires_at <= moment))
    for row in expired:
        await Upload.delete().where((Upload.id == row["id"]) & (Upload.status != COMPLETE))
        services.forget(row["id"])
        count_upload("expired")
        storage.discard(storage.partial_path(row["id"]))
    await _remove_orphans()
    await _settle_received()
    return len(expired)


async def _settle_received() -> None:
    """Check uploads that received their last byte just before the server stopped."""
    rows = await Upload.select().where((Upload.status == RECEIVING) & (Upload.received == Upload.length))
    for row in rows:
        try:
            await services.settle(row)
        except TusError:
            pass  # refused: the reason is kept on the row and told to the device on HEAD


async def _remove_orphans() -> None:
    folder = storage.uploads_dir()
    if not folder.is_dir():
        return
    known = {row["id"].hex for row in await Upload.select(Upload.id).where(Upload.status != COMPLETE)}
    cutoff = time.time() - ORPHAN_GRACE_SECONDS
    for path in folder.glob("*.part"):
        try:
            UUID(path.stem)
        except ValueError:
            continue
        if path.stem not in known and path.stat().st_mtime < cutoff:
            storage.discard(path)


@dataclass(frozen=True)
class Cleaned:
    """What one round of the cleanups removed; `failed` when any of them raised."""

    expired: int = 0
    unattached: int = 0
    blobs: int = 0
    waits: int = 0
    failed: bool = False


async def clean_uploads(at: datetime | None = None) -> Cleaned:
    """The cleanups, in one round: expired unfinished uploads, then finished ones never attached
    (with the stored files nothing uses any more), then the notes of answers that waited for such
    files. A failure of one is logged and the others still run; the next round tries again."""
    expired = unattached = blobs = waits = 0
    failed = False
    try:
        expired = await cleanup_expired_uploads(at)
        if expired:
            log.info("removed %d expired uploads", expired)
    except Exception:  # keep the janitor alive
        log.exception("upload cleanup failed")
        failed = True
    try:
        unattached, blobs = await remove_unattached_uploads(at)
    except Exception:
        log.exception("unattached upload cleanup failed")
        failed = True
    try:
        waits = await prune_answer_waits(at)
    except Exception:
        log.exception("answer wait cleanup failed")
        failed = True
    return Cleaned(expired, unattached, blobs, waits, failed)


async def _loop() -> None:
    while True:
        await clean_uploads()
        await asyncio.sleep(INTERVAL_SECONDS)


async def start_janitor() -> None:
    global _task
    if _task is None or _task.done():
        _task = asyncio.create_task(_loop(), name="upload-janitor")


async def stop_janitor() -> None:
    global _task
    if _task is not None:
        _task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await _task
        _task = None
