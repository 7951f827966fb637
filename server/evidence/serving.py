"""Sending evidence: byte ranges (so audio and video seek), and photo thumbnails cached on disk."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import anyio
from PIL import Image, ImageOps

from server.errors import AppError
from server.i18n import N_
from server.settings import get_settings

CHUNK = 256 * 1024
THUMBNAIL_PX = 320
THUMBNAIL_TYPES = {"image/jpeg", "image/png", "image/webp"}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(AppError):
    status_code = 416
    code = "range_not_satisfiable"

    def __init__(self, reason: str, size: int) -> None:
        super().__init__(reason)
        self.size = size


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """`Range: bytes=a-b` → (first, last) inclusive; None for the whole file (no header, or
    several ranges, which may be answered whole); RangeNotSatisfiable when it misses the file."""
    if not header:
        return None
    header = header.strip()
    if "," in header:
        return None
    match = _RANGE.match(header)
    if match is None or match.groups() == ("", ""):
        raise RangeNotSatisfiable(N_("无效的 Range 请求头。"), size)
    first, last = match.groups()
    if first == "":  # the last N bytes
        length = int(last)
        if length == 0:
            raise RangeNotSatisfiable(N_("请求的范围超出文件。"), size)
        return max(size - length, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or end < start:
        raise RangeNotSatisfiable(N_("请求的范围超出文件。"), size)
    return start, end


async def file_slice(path: Path, start: int, end: int) -> AsyncIterator[bytes]:
    """Bytes start..end (inclusive) of a file, read in chunks."""
    remaining = end - start + 1
    async with await anyio.open_file(path, "rb") as handle:
        await handle.seek(start)
        while remaining > 0:
            chunk = await handle.read(min(CHUNK, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


def thumbnail_path(sha256: str) -> Path:
    return get_settings().storage.media_dir / "thumbs" / sha256[:2] / f"{sha256}-{THUMBNAIL_PX}.jpg"


def make_thumbnail(source: Path, sha256: str) -> Path:
    """A JPEG at most THUMBNAIL_PX on its long side, upright, made once and kept on disk."""
    target = thumbnail_path(sha256)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(source) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
        if image.mode != "RGB":
            image = image.convert("RGB")
        fd, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            image.save(out, "JPEG", quality=80)
    os.replace(temporary, target)
    return target
