"""Shared set-up of the sync benchmarks: a fresh database, the demo, a signed-in in-process client.

Not a test: the scripts print figures. The engine is chosen with `--engine sqlite|postgres`;
PostgreSQL uses TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/test) to create a
scratch database beside it and drops it afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import uuid
from pathlib import Path

import postgres_cpu

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ADMIN_URL = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")


def parse_args(description: str, *, concurrent: bool = False) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    if concurrent:
        parser.add_argument("--concurrent", type=int, default=1, metavar="N", help="also time N pulls one after another and all at once")
    return parser.parse_args()


async def _admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_URL, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def database_server_cpu() -> float:
    """CPU seconds spent so far by the PostgreSQL backends serving the bench's database (0 on SQLite).

    They run on this machine: their time is read from /proc, where the server's work shows.
    """
    url = os.environ.get("DATABASE_URL")
    return postgres_cpu.cpu_seconds(await postgres_cpu.backend_pids_of(url)) if url else 0.0


@contextlib.asynccontextmanager
async def fresh_database(engine: str):
    """Point the settings at a new, empty database for the duration of the block."""
    os.environ["DOORSTEP_HOME"] = tempfile.mkdtemp(prefix="doorstep-bench-")
    name = None
    if engine == "postgres":
        from urllib.parse import urlsplit, urlunsplit

        name = f"doorstep_bench_{uuid.uuid4().hex[:10]}"
        await _admin(f'CREATE DATABASE "{name}"')
        parts = urlsplit(ADMIN_URL)
        os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        yield
    finally:
        if name:
            from server.db import close_pool

            await close_pool()
            await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.asynccontextmanager
async def signed_in_client(username: str = "worker"):
    """Migrate, load the demo, start the app in-process and sign `username` in."""
    import httpx

    import server  # noqa: F401
    from server.accounts.sessions import COOKIE_NAME, create_session
    from server.accounts.tables import User
    from server.app import create_app
    from server.db import migrate, start_pool
    from server.demo import load_demo

    await migrate()
    await load_demo()
    await start_pool()
    app = create_app()
    user = await User.select(User.id).where(User.username == username).first()
    token = await create_session(user["id"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://localhost:8000", timeout=120) as http:
        http.cookies.set(COOKIE_NAME, token)
        await http.get("/")
        http.headers["x-csrftoken"] = http.cookies.get("csrftoken")
        yield http


def caseload(n: int, *, community: str = "440106004001") -> list[tuple[str, dict]]:
    """n households, each with an applicant and a spouse, and a case for each: 2n mutations."""
    from server.households.idnumber import check_character

    def id_number(i: int, sex_digit: int) -> str:
        first17 = f"440106{1950 + i % 50}{1 + i % 12:02d}{1 + i % 28:02d}{(i * 2 + sex_digit) % 1000:03d}"
        return first17 + check_character(first17)

    items = []
    for i in range(n):
        hid = str(uuid.uuid4())
        members = [
            {"name": f"申请人{i}", "id_number": id_number(i, 1), "relation": "self"},
            {"name": f"配偶{i}", "id_number": id_number(i + 7, 0), "relation": "spouse"},
        ]
        items.append(("household.upsert", {"id": hid, "area": community, "address": f"天河北路{i}号", "members": members}))
        items.append(("case.create", {"id": str(uuid.uuid4()), "type": "dibao", "household_id": hid, "procedure": "emergency"}))
    return items


def encode_batches(client_id: str, items: list[tuple[str, dict]], *, batch: int = 100, first_id: int = 1) -> list[bytes]:
    """The push bodies for `items`, in batches, encoded as a device would send them."""
    bodies = []
    for start in range(0, len(items), batch):
        mutations = [
            {"id": first_id + start + k, "name": name, "args": args, "base_version": None, "created_at": "2026-05-23T09:14:00+08:00"}
            for k, (name, args) in enumerate(items[start : start + batch])
        ]
        bodies.append(json.dumps({"client_id": client_id, "mutations": mutations}).encode())
    return bodies


async def post_batches(http, bodies: list[bytes]) -> list:
    """Send the push bodies one after the other; answers the responses (each checked for 200)."""
    responses = []
    for body in bodies:
        response = await http.post("/api/sync/push", content=body, headers={"content-type": "application/json"})
        response.raise_for_status()
        responses.append(response)
    return responses


def applied_in(responses: list) -> int:
    return sum(1 for response in responses for r in response.json()["results"] if r["status"] == "applied")


async def push_all(http, client_id: str, items: list[tuple[str, dict]], *, batch: int = 100, first_id: int = 1) -> int:
    """Push `items` in batches; answers how many were applied."""
    return applied_in(await post_batches(http, encode_batches(client_id, items, batch=batch, first_id=first_id)))


def run(main) -> None:
    asyncio.run(main())
