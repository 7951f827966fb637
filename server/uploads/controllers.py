"""tus 1.0 at /api/uploads/: core, creation, creation-with-upload, checksum, termination, expiration.

Every request but OPTIONS needs the signed-in worker's session; writes (POST, PATCH, DELETE)
also need the `x-csrftoken` header, as every other write does.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, Response, delete, head, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath

from server.accounts.guards import requires_user
from server.errors import error_to_response
from server.i18n import N_
from server.openapi import operation_class
from server.settings import get_settings
from server.uploads import services
from server.uploads.protocol import (
    CHECKSUM_ALGORITHMS,
    OFFSET_CONTENT_TYPE,
    TUS_EXTENSIONS,
    TUS_VERSION,
    TusError,
    base_headers,
    check_resumable,
    parse_checksum,
    parse_length,
    parse_metadata,
    http_date,
)
from server.uploads.tables import COMPLETE

# Litestar refuses bodies over 10 MB by default; a tus request may carry a whole video. The
# handlers also stop reading at the upload's declared length.
_MAX_BODY = get_settings().media.max_upload_bytes


def tus_error_response(request: Request, exc: Exception) -> Response:
    response = error_to_response(request, exc)
    response.headers.update({"Tus-Resumable": TUS_VERSION})
    return response


def _progress_headers(row: dict) -> dict[str, str]:
    headers = base_headers() | {"Upload-Offset": str(row["received"])}
    if row["status"] != COMPLETE:
        headers["Upload-Expires"] = http_date(row["expires_at"])
    return headers


def _content_length(request: Request) -> int | None:
    value = request.headers.get("content-length")
    return int(value) if value and value.isdigit() else None


async def _receive_body(request: Request, upload_id: UUID, offset: int) -> dict:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != OFFSET_CONTENT_TYPE:
        raise TusError(415, "unsupported_media_type", N_("请求的 Content-Type 必须是 {type}。", type=OFFSET_CONTENT_TYPE))
    return await services.receive(
        request.user,
        upload_id,
        offset,
        request.stream(),
        content_length=_content_length(request),
        checksum=parse_checksum(request.headers.get("upload-checksum")),
    )


async def add_discovery_headers(response: Response) -> Response:
    """OPTIONS (answered by Litestar's own handler, the one with `Allow`) tells what tus this is.

    A handler declared for OPTIONS beside the others would be shadowed by Litestar's automatic
    one, so the tus discovery headers are added to that answer instead.
    """
    if "allow" in {key.lower() for key in response.headers}:
        response.headers.update(
            base_headers()
            | {
                "Tus-Version": TUS_VERSION,
                "Tus-Extension": TUS_EXTENSIONS,
                "Tus-Checksum-Algorithm": ",".join(CHECKSUM_ALGORITHMS),
                "Tus-Max-Size": str(get_settings().media.max_upload_bytes),
            }
        )
    return response


_TUS = {"Tus-Resumable": (True, "tus 协议版本：1.0.0")}
_CREATE = _TUS | {
    "Upload-Length": (True, "整个文件的字节数"),
    "Upload-Metadata": (True, "逗号分隔的 `键 Base64值`：sha256（必需，整个文件的 SHA-256，小写十六进制）、filename、filetype"),
}
_PATCH = _TUS | {"Upload-Offset": (True, "本块第一个字节在文件中的位置（须等于服务器的偏移）"), "Upload-Checksum": (False, "本块的 `sha1|sha256 Base64摘要`")}
_PROGRESS = [ResponseHeader(name="Upload-Offset", description="服务器已收到的字节数", documentation_only=True),
             ResponseHeader(name="Upload-Expires", description="未完成的上传过期的时间", documentation_only=True)]


class UploadController(Controller):
    path = "/api/uploads"
    exception_handlers = {Exception: tus_error_response}
    after_request = add_discovery_headers

    @post("/", guards=[requires_user], name="tus_create", status_code=201, request_max_body_size=_MAX_BODY,
          operation_class=operation_class(binary_body=OFFSET_CONTENT_TYPE, body_required=False, headers=_CREATE),
          response_headers=[ResponseHeader(name="Location", description="新上传的地址 /api/uploads/<id>", documentation_only=True), *_PROGRESS])
    async def create(self, request: Request) -> Response[None]:
        """Creation (and creation-with-upload when the request carries bytes)."""
        check_resumable(request.headers.get("tus-resumable"))
        length = parse_length(request.headers.get("upload-length"), "Upload-Length")
        row = await services.create_upload(request.user, length, parse_metadata(request.headers.get("upload-metadata")))
        location = f"/api/uploads/{row['id']}"
        if request.headers.get("content-type", "").startswith(OFFSET_CONTENT_TYPE):
            row = await _receive_body(request, row["id"], 0)
        return Response(None, status_code=201, headers=_progress_headers(row) | {"Location": location})

    @head("/{upload_id:uuid}", guards=[requires_user], name="tus_head", operation_class=operation_class(headers=_TUS),
          response_headers=[*_PROGRESS, ResponseHeader(name="Upload-Length", description="整个文件的字节数", documentation_only=True)])
    async def offset(self, request: Request, upload_id: FromPath[UUID]) -> Response[None]:
        """The server's offset: where the device resumes."""
        check_resumable(request.headers.get("tus-resumable"))
        row = await services.settle(await services.owned_upload(request.user, upload_id))
        headers = _progress_headers(row) | {"Upload-Length": str(row["length"])}
        return Response(None, status_code=200, headers=headers)

    @patch("/{upload_id:uuid}", guards=[requires_user], name="tus_patch", status_code=204, request_max_body_size=_MAX_BODY,
           operation_class=operation_class(binary_body=OFFSET_CONTENT_TYPE, headers=_PATCH), response_headers=_PROGRESS)
    async def append(self, request: Request, upload_id: FromPath[UUID]) -> Response[None]:
        """Append bytes at Upload-Offset (409 when it is not the server's offset)."""
        check_resumable(request.headers.get("tus-resumable"))
        offset = parse_length(request.headers.get("upload-offset"), "Upload-Offset")
        row = await _receive_body(request, upload_id, offset)
        return Response(None, status_code=204, headers=_progress_headers(row))

    @delete("/{upload_id:uuid}", guards=[requires_user], name="tus_delete", status_code=204, operation_class=operation_class(headers=_TUS))
    async def terminate(self, request: Request, upload_id: FromPath[UUID]) -> Response[None]:
        """Termination: the upload and its partial bytes are removed."""
        check_resumable(request.headers.get("tus-resumable"))
        await services.terminate(request.user, upload_id)
        return Response(None, status_code=204, headers=base_headers())
