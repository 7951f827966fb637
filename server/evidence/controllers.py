"""Serving evidence to the people whose scope includes its case; every view is audited."""

from __future__ import annotations

import asyncio
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Stream
from litestar.openapi.datastructures import ResponseSpec
from PIL import Image

import server.evidence.mutations  # noqa: F401  (registers evidence.attach with the sync engine)
from server.accounts.guards import requires_user
from server.audit.services import record
from server.errors import AppError, NotFound, error_to_response
from server.evidence.serving import THUMBNAIL_TYPES, RangeNotSatisfiable, file_slice, make_thumbnail, parse_range
from server.evidence.services import evidence_in_scope
from server.i18n import N_
from server.uploads.storage import blob_path

_SAFE = {
    "X-Content-Type-Options": "nosniff",
    # User-supplied content: never let it run as a page of this origin.
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, max-age=3600",
}


def range_error(request: Request, exc: RangeNotSatisfiable) -> Response:
    response = error_to_response(request, exc)
    response.headers["Content-Range"] = f"bytes */{exc.size}"
    return response


class EvidenceController(Controller):
    path = "/api/evidence"
    guards = [requires_user]
    exception_handlers = {RangeNotSatisfiable: range_error}

    @get("/{evidence_id:uuid}/content", name="evidence_content",
         responses={200: ResponseSpec(data_container=bytes, media_type="application/octet-stream", generate_examples=False,
                                      description="证据文件（Content-Type 为其检测出的类型）；带 Range 时为 206 和所请求的字节")})
    async def content(self, request: Request, evidence_id: FromPath[UUID]) -> Stream:
        """The file, whole or one byte range (206) so that audio and video seek."""
        row = await evidence_in_scope(request.user, evidence_id)
        path = blob_path(row["sha256"])
        if not path.exists():
            raise NotFound(N_("证据文件缺失，请联系管理员。"))
        size = path.stat().st_size
        wanted = parse_range(request.headers.get("range"), size)
        start, end = wanted if wanted else (0, size - 1)
        await record(
            request.user, "evidence.view", "evidence", str(evidence_id),
            {"part": "content", "range": f"{start}-{end}" if wanted else None},
        )
        headers = _SAFE | {"Accept-Ranges": "bytes", "ETag": f'"{row["sha256"]}"', "Content-Length": str(end - start + 1)}
        if wanted:
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        return Stream(file_slice(path, start, end), status_code=206 if wanted else 200, media_type=row["mime"], headers=headers)

    @get("/{evidence_id:uuid}/thumbnail", name="evidence_thumbnail", media_type="image/jpeg", response_description="照片的 JPEG 缩略图")
    async def thumbnail(self, request: Request, evidence_id: FromPath[UUID]) -> Response[bytes]:
        """A small JPEG of a photo (made once, then served from disk)."""
        row = await evidence_in_scope(request.user, evidence_id)
        if row["kind"] != "photo" or row["mime"] not in THUMBNAIL_TYPES:
            raise NotFound(N_("该证据没有缩略图（只为 JPEG、PNG、WebP 照片生成）。"))
        try:
            path = await asyncio.to_thread(make_thumbnail, blob_path(row["sha256"]), row["sha256"])
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            raise AppError(N_("无法为该照片生成缩略图。")) from exc
        await record(request.user, "evidence.view", "evidence", str(evidence_id), {"part": "thumbnail"})
        return Response(path.read_bytes(), media_type="image/jpeg", headers=_SAFE | {"ETag": f'"{row["sha256"]}-t"'})
