"""`doorstep calendar load`: the working-day calendar (holidays and make-up workdays)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path


def cmd_calendar_load(args: argparse.Namespace) -> int:
    from server.procedures.workdays import DATA_FILE, import_rows, read_rows

    count = asyncio.run(import_rows(read_rows(args.file or DATA_FILE)))
    print(f"已导入工作日历 {count} 天 (calendar days loaded)")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    calendar = sub.add_parser("calendar", help="the working-day calendar").add_subparsers(dest="calendar_command", required=True, metavar="ACTION")
    load = calendar.add_parser("load", help="load holidays and make-up workdays (CSV: date,workday,name); the shipped file by default")
    load.add_argument("file", nargs="?", type=Path, help="a CSV file (default: the calendar shipped with Doorstep)")
    load.set_defaults(func=cmd_calendar_load)
