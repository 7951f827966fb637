"""Uploads: create, look up, receive bytes, terminate. No HTTP here beyond the tus error codes.

The stored `received` offset is the truth. Bytes are appended to the partial file as they
arrive (by a worker thread, see `writer`); the offset moves when a request ends (and every
CHECKPOINT bytes of a long request without a checksum, see `offsets`). A request with an
`Upload-Checksum` moves it only once its bytes are verified.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import hashlib
import hmac
from collections.abc import AsyncIterator
from uuid import UUID, uuid4

from server.accounts.current import CurrentUser
from server.clock import now
from server.errors import NotFound
from server.i18n import N_
from server.observability.metrics import count_upload, count_upload_bytes
from server.settings import get_settings
from server.uploads import storage, unattached
from server.uploads.completion import check_head, finish
from server.uploads.offsets import Checkpoints, expiry
from server.uploads.protocol import TusError, declared_sha256
from server.uploads.sniff import HEAD_BYTES, kind_of_declared_type
from server.uploads.tables import COMPLETE, RECEIVING, REFUSED, Upload
from server.uploads.writer import PartialWriter

_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)

# Running whole-file SHA-256 per upload, valid for the offset stored beside it. Lost on restart
# (then the finished file is hashed once more from disk); never trusted for another offset.
_running: dict[UUID, tuple[int, "hashlib._Hash"]] = {}
_locks: dict[UUID, asyncio.Lock] = {}


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


async def create_upload(user: CurrentUser, length: int, metadata: dict[str, str]) -> dict:
    """A new upload row and its empty partial file; 413 when the declared length is over the limit."""
    sha256 = declared_sha256(metadata)
    if length <= 0:
        raise TusError(400, "invalid", N_("不能上传空文件。"), field="Upload-Length")
    filetype = metadata.get("filetype", "")[:100]
    limit = get_settings().media.max_bytes(kind_of_declared_type(filetype))
    if length > limit:
        raise TusError(413, "too_large", N_("文件过大：{size}，此类文件上限为 {limit}。", size=_mb(length), limit=_mb(limit)), field="Upload-Length")
    upload_id = uuid4()
    moment = now()
    row = {
        "id": upload_id,
        "owner": user.id,
        "length": length,
        "received": 0,
        "sha256": sha256,
        "filename": metadata.get("filename", "")[:255],
        "filetype": filetype,
        "status": RECEIVING,
        "created_at": moment,
        "expires_at": expiry(),
    }
    storage.create_partial(upload_id)
    await Upload.insert(Upload(**row))
    count_upload("created")
    return await Upload.select().where(Upload.id == upload_id).first()


async def owned_upload(user: CurrentUser, upload_id: UUID) -> dict:
    """The user's own upload; another user's (or none) is 404, a refused or expired one 410."""
    row = await Upload.select().where((Upload.id == upload_id) & (Upload.owner == user.id)).first()
    if row is None:
        raise NotFound(N_("找不到该上传，或它不属于您。"))
    if row["status"] == REFUSED:
        raise TusError(410, "gone", row["reason"] or N_("该上传已被拒收，请重新上传。"))
    if row["status"] == RECEIVING and row["expires_at"] <= now():
        raise TusError(410, "gone", N_("该上传已过期，请重新上传。"))
    return row


def _running_hash(upload_id: UUID, offset: int):
    if offset == 0:
        return hashlib.sha256()
    kept = _running.pop(upload_id, None)
    return kept[1] if kept and kept[0] == offset else None


async def receive(
    user: CurrentUser,
    upload_id: UUID,
    offset: int,
    body: AsyncIterator[bytes],
    *,
    content_length: int | None,
    checksum: tuple[str, bytes] | None,
) -> dict:
    """Append a request body at `offset`; returns the upload row afterwards (complete or not)."""
    row = await owned_upload(user, upload_id)
    if row["status"] == COMPLETE or offset != row["received"]:
        raise TusError(409, "offset_mismatch", N_("偏移量不一致：服务器已收到 {received} 字节。", received=row["received"]), extra={"offset": row["received"]})
    remaining = row["length"] - offset
    if content_length is not None and content_length > remaining:
        raise TusError(413, "too_large", N_("请求内容超出了声明的文件长度。"))
    lock = _locks.setdefault(upload_id, asyncio.Lock())
    if lock.locked():
        raise TusError(423, "locked", N_("另一个请求正在写入此上传，请稍后再试。"))
    async with lock:
        try:
            received, hasher = await _write(upload_id, offset, remaining, body, checksum)
            count_upload_bytes(received)
            new_offset = offset + received
            if offset < HEAD_BYTES <= new_offset < row["length"]:
                await check_head(row)
            if new_offset < row["length"]:
                if hasher is not None:
                    _running[upload_id] = (new_offset, hasher)
                return {**row, "received": new_offset}
            return await finish({**row, "received": new_offset}, hasher)
        finally:
            _locks.pop(upload_id, None)


async def settle(row: dict) -> dict:
    """An upload whose last byte was stored but which was never checked (the server stopped in
    between) is checked now; a tus client that sees offset == length considers it done."""
    if row["status"] != RECEIVING or row["received"] != row["length"] or row["id"] in _locks:
        return row
    lock = _locks.setdefault(row["id"], asyncio.Lock())
    async with lock:
        try:
            return await finish(row, None)
        except TusError as exc:
            raise TusError(410, "gone", exc.reason) from exc
        finally:
            _locks.pop(row["id"], None)


async def _write(upload_id, offset, remaining, body, checksum):
    """Stream the body into the partial file. Returns (bytes kept, running whole-file hash)."""
    hasher = _running_hash(upload_id, offset)
    before = hasher.copy() if hasher is not None else None
    chunk_digest = hashlib.new(checksum[0]) if checksum else None
    checkpoints = Checkpoints(upload_id, offset)
    handle = await asyncio.to_thread(storage.open_partial_at, upload_id, offset)
    writer = PartialWriter(
        handle,
        [h for h in (hasher, chunk_digest) if h is not None],
        # bytes to be verified first are never checkpointed
        on_written=None if chunk_digest else lambda written: checkpoints.reached(offset + written),
    )
    received = 0
    try:
        try:
            async for data in body:
                received += len(data)
                if received > remaining:
                    raise TusError(413, "too_large", N_("请求内容超出了声明的文件长度。"))
                if data:
                    await writer.add(data)
            await writer.drain()
        except TusError:
            await writer.abandon()
            await checkpoints.settle()
            handle.truncate(checkpoints.stored)
            raise
        except Exception as exc:
            if _is_disk_full(exc):
                raise await _storage_full(writer, checkpoints, handle) from exc
            # The connection dropped: keep what arrived, unless it was to be verified first.
            if chunk_digest is None:
                try:
                    await checkpoints.finish(offset + await writer.drain())
                except OSError as error:
                    if not _is_disk_full(error):
                        raise
                    raise await _storage_full(writer, checkpoints, handle) from error
                if hasher is not None:
                    _running[upload_id] = (offset + writer.written, hasher)
            else:
                await writer.abandon()
                handle.truncate(offset)
            raise
        if chunk_digest is not None and not hmac.compare_digest(chunk_digest.digest(), checksum[1]):
            handle.truncate(offset)
            if before is not None:
                _running[upload_id] = (offset, before)
            raise TusError(460, "checksum_mismatch", N_("数据块校验失败（{algorithm}），本块已丢弃，请从偏移量 {offset} 重新发送。", algorithm=checksum[0], offset=offset))
    finally:
        await writer.abandon()  # no batch may still be writing when the file is closed
        writer.close()
        handle.close()
    await checkpoints.finish(offset + received)
    return received, hasher


def _is_disk_full(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.errno in _DISK_FULL


async def _storage_full(writer: PartialWriter, checkpoints: Checkpoints, handle) -> TusError:
    """The disk filled up: drop what this request wrote past the stored offset (once the writer
    thread has stopped, so no byte lands later) and tell the device to resume from that offset."""
    await writer.abandon()
    with contextlib.suppress(TusError):
        await checkpoints.settle()
    committed = checkpoints.stored
    with contextlib.suppress(OSError):
        handle.truncate(committed)
    return TusError(
        507,
        "insufficient_storage",
        N_("服务器存储空间已满，已收到的 {committed} 字节已保存；请稍后从该偏移量继续上传。", committed=committed),
        extra={"offset": committed},
    )


async def terminate(user: CurrentUser, upload_id: UUID) -> None:
    """tus termination: the upload and its partial bytes are gone. A finished one goes by the
    unattached-upload cleanup's rules (with its file when nothing else has that content); one
    whose content its owner attached is kept (409)."""
    row = await Upload.select(Upload.id, Upload.status).where((Upload.id == upload_id) & (Upload.owner == user.id)).first()
    if row is None:
        raise NotFound(N_("找不到该上传，或它不属于您。"))
    if upload_id in _locks:
        raise TusError(423, "locked", N_("另一个请求正在写入此上传，请稍后再试。"))
    unfinished = (Upload.id == upload_id) & (Upload.status != COMPLETE)
    if not await Upload.delete().where(unfinished).returning(Upload.id) and not await unattached.terminate_finished(upload_id):
        raise NotFound(N_("找不到该上传，或它不属于您。"))  # removed meanwhile (the cleanup)
    count_upload("terminated")
    _running.pop(upload_id, None)
    storage.discard(storage.partial_path(upload_id))


def forget(upload_id: UUID) -> None:
    _running.pop(upload_id, None)
