"""`doorstep backup` and `doorstep restore`.

A backup is a folder: the database (a consistent SQLite online backup, or a `pg_dump` custom
archive for PostgreSQL), the verified media (content-addressed, so each file's name is its
SHA-256) and `backup.json` describing it. Partial uploads are not kept: after a restore the
devices start those uploads again, and the restored server starts a new sync epoch so that
devices keep their outboxes and re-push what the backup does not hold.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

from server.clock import now
from server.errors import Invalid
from server.operations.media_check import blob_files
from server.settings import get_settings
from server.uploads.storage import sha256_of

MANIFEST = "backup.json"
SQLITE_FILE = "doorstep.sqlite3"
PG_ARCHIVE = "database.pgdump"


def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise Invalid(
            f"找不到 {name}。PostgreSQL 备份请安装 postgresql-client，或自行运行: "
            f"pg_dump --format=custom --file=database.pgdump \"$DATABASE_URL\"，并单独复制 media/ 目录"
        )
    return tool


def _backup_database(folder: Path) -> str:
    storage = get_settings().storage
    if storage.database_url:
        target = folder / PG_ARCHIVE
        subprocess.run(
            [_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", storage.database_url],
            check=True,
            timeout=3600,
        )
        return PG_ARCHIVE
    source = sqlite3.connect(storage.sqlite_path)
    target = sqlite3.connect(folder / SQLITE_FILE)
    try:
        source.backup(target)  # SQLite's online backup: consistent while the server keeps writing
    finally:
        target.close()
        source.close()
    return SQLITE_FILE


def _copy_blobs(source_media: Path, target_media: Path) -> tuple[int, int]:
    count = size = 0
    for name, path in blob_files(source_media).items():
        destination = target_media / "blobs" / name[:2] / name
        if destination.exists():
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        count += 1
        size += path.stat().st_size
    return count, size


async def backup(parent: Path) -> Path:
    """Write a backup folder under `parent`; answers its path."""
    from sync.epoch import current_epoch

    storage = get_settings().storage
    stamp = now().strftime("%Y%m%dT%H%M%SZ")
    folder = parent / f"doorstep-backup-{stamp}"
    folder.mkdir(parents=True, exist_ok=False)
    database = _backup_database(folder)
    files, size = _copy_blobs(storage.media_dir, folder / "media")
    manifest = {
        "format": 1,
        "created_at": now().isoformat(),
        "engine": storage.engine,
        "epoch": await current_epoch(),
        "database": database,
        "database_sha256": sha256_of(folder / database),
        "media_files": files,
        "media_bytes": size,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return folder


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        raise Invalid(f"{folder} 不是 Doorstep 备份（缺少 {MANIFEST}）")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if sha256_of(folder / manifest["database"]) != manifest["database_sha256"]:
        raise Invalid("备份中的数据库文件已损坏（SHA-256 不符）")
    return manifest


async def _database_is_empty() -> bool:
    from server.areas.tables import Area

    try:
        return not await Area.exists()
    except Exception:  # no tables at all: empty
        return True


async def restore(folder: Path, *, force: bool = False) -> dict:
    """Restore a backup into this installation's (empty) database and media store."""
    from server.db import migrate
    from server.uploads.tables import COMPLETE, Upload
    from sync.epoch import start_new_epoch

    manifest = read_manifest(folder)
    storage = get_settings().storage
    if manifest["engine"] != storage.engine:
        raise Invalid(f"备份来自 {manifest['engine']}，当前数据库是 {storage.engine}")
    if storage.database_url:
        if not force and not await _database_is_empty():
            raise Invalid("目标数据库不是空的；请恢复到一个新建的空数据库（或使用 --force）")
        subprocess.run(
            [_pg_tool("pg_restore"), "--no-owner", "--clean", "--if-exists", f"--dbname={storage.database_url}", str(folder / PG_ARCHIVE)],
            check=True,
            timeout=3600,
        )
    else:
        if storage.sqlite_path.exists() and not force and not await _database_is_empty():
            raise Invalid(f"{storage.sqlite_path} 已有数据；请恢复到空的 DOORSTEP_HOME（或使用 --force）")
        storage.home.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{storage.sqlite_path}{suffix}").unlink(missing_ok=True)
        shutil.copy2(folder / SQLITE_FILE, storage.sqlite_path)
    files, size = _copy_blobs(folder / "media", storage.media_dir)
    await migrate()
    # Partial uploads were not backed up: forget them, so devices start those uploads again.
    await Upload.delete().where(Upload.status != COMPLETE)
    epoch = await start_new_epoch("restore")
    return {"epoch": epoch, "backup_epoch": manifest["epoch"], "media_files": files, "media_bytes": size, "created_at": manifest["created_at"]}

