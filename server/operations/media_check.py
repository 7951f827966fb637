"""`doorstep check-media`: re-hash every stored file and report any that does not match."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from server.uploads.storage import media_dir, sha256_of
from server.uploads.tables import Blob


@dataclass
class MediaReport:
    checked: int = 0
    bytes: int = 0
    mismatched: list[str] = field(default_factory=list)  # content no longer hashes to its name
    missing: list[str] = field(default_factory=list)  # recorded in the database, no file
    wrong_size: list[str] = field(default_factory=list)
    unrecorded: list[str] = field(default_factory=list)  # a file the database does not know

    @property
    def ok(self) -> bool:
        return not (self.mismatched or self.missing or self.wrong_size)


def blob_files(root: Path) -> dict[str, Path]:
    blobs = root / "blobs"
    return {path.name: path for path in blobs.glob("??/*") if path.is_file()} if blobs.exists() else {}


async def check_media() -> MediaReport:
    report = MediaReport()
    files = blob_files(media_dir())
    for row in await Blob.select(Blob.sha256, Blob.size).order_by(Blob.sha256):
        path = files.pop(row["sha256"], None)
        if path is None:
            report.missing.append(row["sha256"])
            continue
        report.checked += 1
        size = path.stat().st_size
        report.bytes += size
        if size != row["size"]:
            report.wrong_size.append(row["sha256"])
        if sha256_of(path) != row["sha256"]:
            report.mismatched.append(row["sha256"])
    report.unrecorded = sorted(files)
    return report
