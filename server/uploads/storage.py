"""The media directory: partial uploads, content-addressed blobs.

    media/uploads/<upload id>.part   bytes received so far (may run ahead of the stored offset
                                     after a crash; it is cut back to the offset before use)
    media/blobs/<aa>/<sha256>        verified content, one file per distinct SHA-256
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from uuid import UUID

from server.settings import get_settings

READ_CHUNK = 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def media_dir() -> Path:
    return get_settings().storage.media_dir


def uploads_dir() -> Path:
    return media_dir() / "uploads"


def partial_path(upload_id: UUID) -> Path:
    return uploads_dir() / f"{upload_id.hex}.part"


def blob_path(sha256: str) -> Path:
    if not _HEX64.match(sha256):  # never let a hash become a path traversal
        raise ValueError("not a SHA-256 hex digest")
    return media_dir() / "blobs" / sha256[:2] / sha256


def create_partial(upload_id: UUID) -> Path:
    path = partial_path(upload_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(exist_ok=False)
    return path


def open_partial_at(upload_id: UUID, offset: int):
    """The partial file opened for writing at `offset`, cut back to it (bytes past the stored
    offset were never acknowledged, e.g. a request cut short by a crash)."""
    path = partial_path(upload_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    # unbuffered: the writer hands whole batches to the kernel itself
    handle = open(path, "r+b" if path.exists() else "w+b", buffering=0)  # noqa: SIM115 - the caller closes it
    handle.truncate(offset)
    handle.seek(offset)
    return handle


def read_head(path: Path, size: int) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def discard(path: Path) -> None:
    path.unlink(missing_ok=True)


def install_blob(partial: Path, sha256: str) -> Path:
    """Move a verified partial file to its content address; when that content is already
    stored, the partial file is dropped and the existing blob is kept."""
    target = blob_path(sha256)
    if target.exists():
        if partial != target:
            discard(partial)
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    _fsync_directory(target.parent)  # the rename itself survives a power cut, not only the bytes
    return target


def _fsync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
