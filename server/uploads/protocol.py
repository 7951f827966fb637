"""The tus 1.0 wire format: headers in, headers out, and the protocol's own status codes."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timezone
from email.utils import format_datetime

from server.errors import AppError
from server.i18n import N_

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,creation-with-upload,checksum,termination,expiration"
CHECKSUM_ALGORITHMS = ("sha1", "sha256")
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class TusError(AppError):
    """An error with a tus status code (409 offset mismatch, 412 version, 460 checksum ...)."""

    def __init__(self, status_code: int, code: str, reason: str, **kwargs) -> None:
        super().__init__(reason, **kwargs)
        self.status_code = status_code
        self.code = code


def base_headers() -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}


def check_resumable(value: str | None) -> None:
    """Every request but OPTIONS names the protocol version; another version is 412."""
    if value != TUS_VERSION:
        raise TusError(412, "tus_version", N_("不支持的 tus 协议版本，请使用 1.0.0。"))


def parse_length(value: str | None, name: str) -> int:
    if value is None or not value.isdigit():
        raise TusError(400, "invalid", N_("缺少或无效的 {name} 请求头。", name=name), field=name)
    return int(value)


def parse_metadata(value: str | None) -> dict[str, str]:
    """`key base64value,key2 base64value2` → {key: value}."""
    result: dict[str, str] = {}
    for pair in (value or "").split(","):
        pair = pair.strip()
        if not pair:
            continue
        key, _, encoded = pair.partition(" ")
        try:
            result[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8") if encoded else ""
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise TusError(400, "invalid", N_("Upload-Metadata 的取值不是有效的 Base64。"), field="Upload-Metadata") from exc
        if "\x00" in result[key]:  # no text column (PostgreSQL's least of all) keeps a NUL character
            raise TusError(400, "invalid", N_("Upload-Metadata 的取值含有空字符（NUL）。"), field="Upload-Metadata")
    return result


def declared_sha256(metadata: dict[str, str]) -> str:
    sha256 = metadata.get("sha256", "")
    if not _HEX64.match(sha256):
        raise TusError(
            400,
            "invalid",
            N_("Upload-Metadata 必须包含 sha256：整个文件的 SHA-256，64 位小写十六进制。"),
            field="sha256",
        )
    return sha256


def parse_checksum(value: str | None) -> tuple[str, bytes] | None:
    """`Upload-Checksum: sha1 <base64 digest>` → ("sha1", digest)."""
    if value is None:
        return None
    algorithm, _, encoded = value.strip().partition(" ")
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise TusError(400, "checksum_algorithm", N_("不支持的校验算法，请使用 sha1 或 sha256。"), field="Upload-Checksum")
    try:
        return algorithm, base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error as exc:
        raise TusError(400, "invalid", N_("Upload-Checksum 的取值不是有效的 Base64。"), field="Upload-Checksum") from exc


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)
