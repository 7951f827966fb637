"""The `doorstep` command: serve, migrate, demo, invite, areas; the operations, audit and calendar
commands live beside the code they drive (server/operations/commands.py, server/audit/commands.py,
server/procedures/commands.py)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import server  # noqa: F401  (sets PICCOLO_CONF before anything touches the database)
from server.audit import commands as audit_commands
from server.operations import commands as operations_commands
from server.procedures import commands as calendar_commands
from server.settings import get_settings


def _run(coro):
    return asyncio.run(coro)


def cmd_migrate(_: argparse.Namespace) -> int:
    from server.db import migrate

    _run(migrate())
    print("数据库已是最新 (database is up to date)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from server.db import pending_migrations
    from server.serving import serve

    pending = _run(pending_migrations())
    if pending:
        print(f"doorstep serve: 数据库有 {pending} 个迁移尚未执行，请先运行 `doorstep migrate` "
              f"({pending} migrations pending: run `doorstep migrate` first)", file=sys.stderr)
        return 2
    _apply_serve_flags(args)
    settings = get_settings().server
    if settings.workers > 1:
        from server.observability.metrics import share_between_processes

        share_between_processes(settings.port)  # every worker's counters, added up by /metrics
    print(f"Doorstep 已启动: {settings.origin}  (按 Ctrl+C 停止)", flush=True)
    print(f"登录 (sign in): {settings.origin}/signin — 新用户请打开邀请链接 (new users: open an invitation link)", flush=True)
    serve()
    return 0


def _apply_serve_flags(args: argparse.Namespace) -> None:
    """--host/--port/--workers win over the environment, for this process and the workers it
    starts; the origin follows the port unless DOORSTEP_ORIGIN was set explicitly."""
    import os

    if args.host:
        os.environ["HOST"] = args.host
    if args.port:
        os.environ["PORT"] = str(args.port)
    if args.workers:
        os.environ["DOORSTEP_WORKERS"] = str(args.workers)
    get_settings.cache_clear()


async def _demo(links: bool) -> int:
    from server.db import migrate
    from server.demo import demo_is_loaded, load_demo

    await migrate()
    if await demo_is_loaded():
        print("演示数据已存在，未重复加载 (demo data already loaded)")
    else:
        counts = await load_demo()
        print("已加载演示数据 (demo loaded): " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    if links:
        await _print_demo_links()
    return 0


async def _print_demo_links() -> None:
    from server.accounts.invitations import create_invitation, enrollment_link
    from server.accounts.roles import ROLE_LABEL
    from server.accounts.tables import Passkey, User
    from server.demo import DEMO_USERS

    print("\n登录方式 (how to sign in): Doorstep 只用通行密钥 (passkeys only).")
    print("在 Chromium/Chrome 中打开下面的一次性邀请链接，为演示用户注册通行密钥 (valid 72 h):")
    for username, _name, role, code in DEMO_USERS:
        user = await User.select(User.id, User.display_name).where(User.username == username).first()
        if user is None:
            continue
        has_passkey = await Passkey.exists().where((Passkey.user == user["id"]) & Passkey.revoked_at.is_null())
        if has_passkey:
            print(f"  {ROLE_LABEL[role]:<8} {username:<11} 已有通行密钥，直接登录: {get_settings().server.origin}/signin")
            continue
        token, _ = await create_invitation(display_name=user["display_name"], role=role, area_code=code, user_id=user["id"])
        print(f"  {ROLE_LABEL[role]:<8} {username:<11} {enrollment_link(token)}")


def cmd_demo(args: argparse.Namespace) -> int:
    return _run(_demo(not args.no_links))


def cmd_invite(args: argparse.Namespace) -> int:
    from server.accounts.invitations import create_invitation, enrollment_link
    from server.errors import AppError

    async def invite() -> str:
        token, _ = await create_invitation(display_name=args.name, role=args.role, area_code=args.area, username=args.username)
        return enrollment_link(token)

    try:
        link = _run(invite())
    except AppError as exc:
        print(f"doorstep invite: {exc.reason}", file=sys.stderr)
        return 2
    print(link)
    return 0


def cmd_areas(args: argparse.Namespace) -> int:
    from server.areas.services import list_areas, render_tree

    areas = _run(list_areas())
    print(json.dumps(areas, ensure_ascii=False, indent=2) if args.json else render_tree(areas))
    return 0


def build_parser() -> argparse.ArgumentParser:
    from server.accounts.roles import ROLES

    parser = argparse.ArgumentParser(prog="doorstep", description="Doorstep (非接触入户) server")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = sub.add_parser("serve", help="start the web server")
    serve.add_argument("--host", help="address to listen on (default HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default PORT or 8000)")
    serve.add_argument("--workers", type=int, help="worker processes (default DOORSTEP_WORKERS or 1)")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations (safe to repeat)").set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load the demo data if the database has none, and print sign-in links")
    demo.add_argument("--no-links", action="store_true", help="do not print enrollment links")
    demo.set_defaults(func=cmd_demo)

    invite = sub.add_parser("invite", help="print a one-time enrollment link for a new person")
    invite.add_argument("--role", required=True, choices=ROLES)
    invite.add_argument("--area", required=True, help="area code (a community for a grid worker, a street for a supervisor, ...)")
    invite.add_argument("--name", required=True, help="the person's name as shown in the app")
    invite.add_argument("--username", help="user name for the fallback sign-in (generated if omitted)")
    invite.set_defaults(func=cmd_invite)

    areas = sub.add_parser("areas", help="print the area tree")
    areas.add_argument("--json", action="store_true", help="print a JSON list of {code, name, level, parent}")
    areas.set_defaults(func=cmd_areas)

    for commands in (operations_commands, audit_commands, calendar_commands):
        commands.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
