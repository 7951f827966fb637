"""`doorstep backup`, `restore`, `check-media` and `clean-uploads`: the commands an operator runs."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from server.errors import AppError


def cmd_backup(args: argparse.Namespace) -> int:
    from server.operations.backup import backup

    folder = asyncio.run(backup(args.to.resolve()))
    print(f"备份完成 (backup written): {folder}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from server.operations.backup import restore

    try:
        result = asyncio.run(restore(args.folder.resolve(), force=args.force))
    except AppError as exc:
        print(f"doorstep restore: {exc.reason}", file=sys.stderr)
        return 2
    print(
        f"已恢复 {result['created_at']} 的备份 (restored): {result['media_files']} media files; "
        f"new sync epoch {result['epoch']} — devices keep their outbox and re-push"
    )
    return 0


def cmd_check_media(_: argparse.Namespace) -> int:
    from server.operations.media_check import check_media

    report = asyncio.run(check_media())
    problems = (("内容不符 (hash mismatch)", report.mismatched), ("文件缺失 (missing)", report.missing), ("大小不符 (wrong size)", report.wrong_size))
    for label, items in problems:
        for sha in items:
            print(f"{label}: {sha}", file=sys.stderr)
    for sha in report.unrecorded:  # a stray file is reported, not an error
        print(f"未登记 (not in database): {sha}")
    print(f"checked {report.checked} files, {report.bytes} bytes: {'OK' if report.ok else 'PROBLEMS FOUND'}")
    return 0 if report.ok else 1


def cmd_clean_uploads(_: argparse.Namespace) -> int:
    from server.uploads.janitor import clean_uploads

    cleaned = asyncio.run(clean_uploads())
    print(
        f"已清理 (removed): {cleaned.expired} expired unfinished uploads, {cleaned.unattached} finished uploads never attached, "
        f"{cleaned.blobs} unused stored files, {cleaned.waits} notes of answers that waited for evidence"
    )
    if cleaned.failed:
        print("doorstep clean-uploads: 部分清理失败，详见日志 (a cleanup failed; see the log)", file=sys.stderr)
        return 1
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser("backup", help="write a consistent backup of the database and the media store")
    backup.add_argument("--to", type=Path, default=Path("backups"), help="parent folder of the backup (default ./backups)")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="restore a backup into an empty installation; starts a new sync epoch")
    restore.add_argument("folder", type=Path, help="a folder written by `doorstep backup`")
    restore.add_argument("--force", action="store_true", help="overwrite a database that already holds data")
    restore.set_defaults(func=cmd_restore)

    sub.add_parser("check-media", help="re-hash every stored media file; exit 1 on any mismatch").set_defaults(func=cmd_check_media)
    sub.add_parser(
        "clean-uploads", help="remove expired unfinished uploads, finished ones never attached and the notes of answers that waited for them (as the server does hourly)"
    ).set_defaults(func=cmd_clean_uploads)
