"""Finished uploads that no evidence ever used are removed after a grace period, with their file
when nothing else refers to the same content.

A phone uploads a file, then queues `evidence.attach`; it may stay offline for days in between,
so the grace period is long (`DOORSTEP_UNATTACHED_UPLOAD_DAYS`, 30 days by default). An upload is
"used" when an evidence item of its owner has its SHA-256 (attach needs the owner's own upload) or
a self-declaration names that SHA-256 as its evidence.

Cleanup and a late `evidence.attach` never cross. Attach reads the owner's finished upload in the
push's transaction and inserts the evidence there; on PostgreSQL it locks that upload (FOR SHARE).
Cleanup removes an upload in a transaction of its own that first takes the row (FOR UPDATE), then
looks for evidence in a statement of its own. On SQLite both are write transactions (BEGIN
IMMEDIATE), which run one at a time. So either the attach commits first, and cleanup sees its
evidence and keeps the upload, or cleanup commits first, and the attach finds no finished upload
and answers `rejected` (field `sha256`: upload the file again).

A blob goes only when no upload (in any state, of anyone), no evidence and no declaration has its
SHA-256. Its file is moved aside first, then the blob row is deleted on that same condition in one
statement, and the file is moved back when the row stays (an upload of identical content started
meanwhile and may have found the file stored already).

Its owner may end a finished upload sooner, by tus termination (a phone does when the worker sets
the file aside): `terminate_finished` removes it by the same rules at once, and refuses one whose
content its owner uses.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from uuid import UUID

from piccolo.columns.combination import WhereRaw
from piccolo.engine.postgres import PostgresEngine

from server.clock import now
from server.i18n import N_
from server.observability.metrics import count_upload
from server.settings import get_settings
from server.uploads import storage
from server.uploads.protocol import TusError
from server.uploads.tables import COMPLETE, Blob, Upload
from sync.db import write_transaction

log = logging.getLogger("doorstep.uploads")

# A self-declaration may name its consent recording by SHA-256 (evidence.ref): that content stays too.
_UNUSED_BY_OWNER = WhereRaw(
    "NOT EXISTS (SELECT 1 FROM evidence WHERE evidence.sha256 = media_upload.sha256 AND evidence.attached_by = media_upload.owner) "
    "AND NOT EXISTS (SELECT 1 FROM self_declaration WHERE self_declaration.evidence_ref = media_upload.sha256)"
)
_UNREFERENCED_BLOB = WhereRaw(
    "NOT EXISTS (SELECT 1 FROM media_upload WHERE media_upload.sha256 = media_blob.sha256) "
    "AND NOT EXISTS (SELECT 1 FROM evidence WHERE evidence.sha256 = media_blob.sha256) "
    "AND NOT EXISTS (SELECT 1 FROM self_declaration WHERE self_declaration.evidence_ref = media_blob.sha256)"
)


def _cutoff(at: datetime | None) -> datetime:
    return (at or now()) - timedelta(days=get_settings().media.unattached_upload_days)


async def remove_unattached_uploads(at: datetime | None = None) -> tuple[int, int]:
    """Remove finished uploads their owner never attached within the grace period, and the blobs
    nothing refers to any more (older than the grace period too). Returns (uploads, blobs) removed."""
    cutoff = _cutoff(at)
    finished_before = (Upload.completed_at <= cutoff) | (Upload.completed_at.is_null() & (Upload.created_at <= cutoff))
    candidates = await Upload.select(Upload.id).where((Upload.status == COMPLETE) & finished_before & _UNUSED_BY_OWNER)
    uploads, hashes = 0, set()
    for row in candidates:
        sha256 = await _remove_upload(row["id"])
        if sha256 is not None:
            uploads += 1
            hashes.add(sha256)
            count_upload("unattached")
    # Blobs of the uploads just removed, and any other blob left without references (e.g. when two
    # processes removed the last two uploads of one content at the same moment).
    stale = await Blob.select(Blob.sha256).where((Blob.created_at <= cutoff) & _UNREFERENCED_BLOB)
    hashes.update(row["sha256"] for row in stale)
    blobs = 0
    for sha256 in sorted(hashes):
        blobs += await _remove_blob_if_unused(sha256)
    if uploads or blobs:
        log.info("removed %d unattached uploads and %d unused blobs", uploads, blobs)
    return uploads, blobs


async def terminate_finished(upload_id: UUID) -> bool:
    """End a finished upload at its owner's request (the caller checked the owner): the upload goes
    now rather than after the grace period, and its file when nothing else has that content. 409
    when its owner has attached its content; False when it was gone already."""
    sha256 = await _remove_upload(upload_id, refuse_attached=True)
    if sha256 is None:
        return False
    await _remove_blob_if_unused(sha256)
    return True


async def _remove_upload(upload_id: UUID, *, refuse_attached: bool = False) -> str | None:
    """Delete one finished upload unless its owner has attached its content (then None, or 409
    when `refuse_attached`); its SHA-256 if deleted."""
    db = Upload._meta.db
    async with write_transaction(db):
        query = Upload.select(Upload.id, Upload.sha256).where((Upload.id == upload_id) & (Upload.status == COMPLETE))
        if isinstance(db, PostgresEngine):
            query = query.lock_rows("UPDATE")  # waits for an attach holding it (FOR SHARE) to end
        row = await query.first()
        if row is None:
            return None
        if await _attached(row):
            if refuse_attached:
                raise TusError(409, "attached", N_("该文件已作为证据附加到案件，不能删除。"))
            return None
        await Upload.delete().where(Upload.id == upload_id)
    return row["sha256"]


async def _attached(upload: dict) -> bool:
    """Whether the upload is used after all: the candidates' rule, read again in a statement of
    its own once the upload is locked."""
    return not await Upload.exists().where((Upload.id == upload["id"]) & _UNUSED_BY_OWNER)


async def _remove_blob_if_unused(sha256: str) -> bool:
    """Delete the blob row and file of `sha256` when no upload and no evidence refers to it."""
    unreferenced = (Blob.sha256 == sha256) & _UNREFERENCED_BLOB
    if not await Blob.exists().where(unreferenced):
        return False  # still used: its file is not even moved (evidence may be read from it now)
    path = storage.blob_path(sha256)
    aside = path.with_name(f"{sha256}.removing")
    try:
        os.replace(path, aside)
        moved = True
    except FileNotFoundError:
        moved = False
    deleted = await Blob.delete().where(unreferenced).returning(Blob.sha256)
    if not moved:
        return bool(deleted)
    if deleted:
        storage.discard(aside)
    else:
        os.replace(aside, path)  # still referred to; an identical file stored meanwhile is the same bytes
    return bool(deleted)
