"""The end of an upload: the whole file must match the declared SHA-256, be of an allowed type
(decided from its bytes) within that kind's size limit; then it is stored by content, once."""

from __future__ import annotations

import asyncio

from server.clock import now
from server.i18n import N_
from server.observability.metrics import count_upload
from server.settings import get_settings
from server.uploads import storage
from server.uploads.protocol import TusError
from server.uploads.sniff import HEAD_BYTES, sniff
from server.uploads.tables import COMPLETE, REFUSED, Blob, Upload

ALLOWED_TYPES = N_("JPEG、PNG、WebP、HEIC 照片，MP4、WebM、QuickTime 视频，Ogg、WebM、M4A/AAC、WAV、MP3 音频，PDF 文档")


async def refuse(row: dict, status_code: int, code: str, reason: str) -> TusError:
    """Discard the bytes, remember why (a HEAD then answers 410 with the reason)."""
    storage.discard(storage.partial_path(row["id"]))
    await Upload.update({Upload.status: REFUSED, Upload.reason: reason}).where(Upload.id == row["id"])
    count_upload("refused")
    return TusError(status_code, code, reason)


async def refuse_type(row: dict) -> TusError:
    return await refuse(row, 422, "unsupported_type", N_("不支持的文件类型（按文件内容判断）。只接受 {types}。", types=ALLOWED_TYPES))


async def check_head(row: dict) -> None:
    """Once the first bytes are in, a type not on the list is refused at once, not after the
    whole file has crossed a phone's data plan."""
    head = await asyncio.to_thread(storage.read_head, storage.partial_path(row["id"]), HEAD_BYTES)
    if sniff(head, row["filetype"]) is None:
        raise await refuse_type(row)


async def finish(row: dict, hasher) -> dict:
    """Verify and store a fully received upload; returns the completed row or raises TusError."""
    partial = storage.partial_path(row["id"])
    if not partial.exists() and storage.blob_path(row["sha256"]).exists():
        partial = storage.blob_path(row["sha256"])  # stored already, the server stopped before noting it
    digest = hasher.hexdigest() if hasher is not None else await asyncio.to_thread(storage.sha256_of, partial)
    if digest != row["sha256"]:
        raise await refuse(
            row,
            422,
            "hash_mismatch",
            N_("文件校验失败：收到的内容的 SHA-256 为 {digest}，与设备声明的 {declared} 不一致。已丢弃，请重新上传。", digest=digest, declared=row["sha256"]),
        )
    sniffed = sniff(await asyncio.to_thread(storage.read_head, partial, HEAD_BYTES), row["filetype"])
    if sniffed is None:
        raise await refuse_type(row)
    limit = get_settings().media.max_bytes(sniffed.kind)
    if row["length"] > limit:
        raise await refuse(row, 413, "too_large", N_("文件过大：此类文件上限为 {limit} MB。", limit=limit // (1024 * 1024)))
    await asyncio.to_thread(storage.install_blob, partial, digest)
    moment = now()
    await Blob.insert(
        Blob(sha256=digest, size=row["length"], mime=sniffed.mime, kind=sniffed.kind, created_at=moment)
    ).on_conflict(action="DO NOTHING")
    changes = {"status": COMPLETE, "received": row["length"], "mime": sniffed.mime, "kind": sniffed.kind, "completed_at": moment}
    await Upload.update(changes).where(Upload.id == row["id"])
    count_upload("completed")
    return {**row, **changes}
