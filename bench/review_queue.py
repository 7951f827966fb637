"""The review queue at 100,000 cases: p50/p95 server time of GET /review/ and /api/review/queue.

    .venv/bin/python bench/review_queue.py                      # both engines, 100,000 cases
    .venv/bin/python bench/review_queue.py --engine sqlite --cases 20000

Prints figures; it is not a test. Each engine gets a fresh database (a temporary SQLite file, or
a new PostgreSQL database beside TEST_PG_URL's, dropped afterwards), the demo areas and users, and
N cases spread over the demo's communities with a household and two members each. Requests go
through the real application in-process (no network), signed in as the street supervisor and as
the district officer, with PostgreSQL's connection pool as deployed. Measured per request: the
wall clock from the request entering the ASGI app to the last byte of the answer; the CPU time
this process spent on it (all threads: the application and the SQLite driver); and with it the
CPU time of the PostgreSQL server processes serving the pool (/proc/<pid>/schedstat, same
machine). On a busy machine the wall clock is mostly waiting for a core; the CPU time of app and
database together is the server time the request would take on an idle core (the target:
p95 < 100 ms, flagged when over).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from postgres_cpu import backend_pids, cpu_seconds

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
STATUSES = ["submitted"] * 4 + ["publicizing", "returned", "investigating", "approved", "approved", "rejected", "closed", "draft"]
TYPES = ["dibao", "dibao", "tekun", "temporary", "extension", "referral"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"


def rows_for(n: int, communities: list[int]) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Households, persons and cases as tuples, in the tables' column order below."""
    from datetime import date, datetime, timedelta, timezone

    from server.households.idnumber import check_character

    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    households, people, cases = [], [], []
    for i in range(n):
        area = communities[i % len(communities)]
        hid = uuid.uuid4()
        opened = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
        households.append((hid, area, f"测试路{i % 500}号{i}房", "", "local_urban", 1, None, opened, opened))
        for position in range(2):
            first17 = f"440106{1950 + i % 50}0101{(i * 2 + position) % 1000:03d}"
            people.append((uuid.uuid4(), hid, position, f"{SURNAMES[i % 20]}{i}-{position}", "", date(1950 + i % 50, 1, 1),
                           "self" if position == 0 else "spouse", first17 + check_character(first17), "", False, "full"))
        status = rng.choice(STATUSES)
        # A draft opened on a device is accepted when it is first submitted, a little later.
        accepted = None if status == "draft" else min(now, opened + timedelta(minutes=rng.randrange(0, 60 * 24 * 3)))
        cases.append((uuid.uuid4(), hid, area, rng.choice(TYPES), status, "normal", "", None, opened, accepted, None, 1, opened))
    return households, people, cases


COLUMNS = {
    "household": ("id", "area", "address", "contact_phone", "hukou_type", "version", "created_by", "created_at", "updated_at"),
    "person": ("id", "household", "position", "name", "sex", "birth_date", "relation", "id_number", "disability", "serious_illness",
               "labour_capacity"),
    "assistance_case": ("id", "household", "area", "type", "status", "procedure", "notes", "opened_by", "opened_at", "accepted_at", "assigned_to",
                        "version", "updated_at"),
}


async def populate(n: int) -> None:
    """The demo, then n cases written straight through the database driver (the ORM would take
    longer to build 400,000 objects than the queue takes to answer thousands of requests)."""
    from server.areas.tables import Area
    from server.db import migrate
    from server.demo import load_demo
    from server.settings import get_settings

    await migrate()
    await load_demo()
    communities = [r["id"] for r in await Area.select(Area.id).where(Area.level == "community")]
    tables = dict(zip(COLUMNS, rows_for(n, communities)))
    storage = get_settings().storage
    if storage.database_url:
        import asyncpg

        connection = await asyncpg.connect(storage.database_url)
        try:
            for table, rows in tables.items():
                await connection.copy_records_to_table(table, records=rows, columns=list(COLUMNS[table]))
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
    else:
        import sqlite3

        import piccolo.engine.sqlite  # noqa: F401  (registers the adapters Piccolo stores values with)

        with sqlite3.connect(storage.sqlite_path) as connection:
            for table, rows in tables.items():
                marks = ", ".join("?" * len(COLUMNS[table]))
                connection.executemany(f"INSERT INTO {table} ({', '.join(COLUMNS[table])}) VALUES ({marks})", rows)
            connection.execute("ANALYZE")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


class Backends:
    """The PostgreSQL server processes serving the app's pool (same machine), for their CPU time."""

    def __init__(self) -> None:
        self.connection = None

    async def __aenter__(self) -> "Backends":
        from server.settings import get_settings

        url = get_settings().storage.database_url
        if url:
            import asyncpg

            self.connection = await asyncpg.connect(url)
        return self

    async def __aexit__(self, *exc) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def pids(self) -> list[int]:
        if self.connection is None:
            return []
        return await backend_pids(self.connection)


async def measure(requests: int) -> list[tuple[str, str, float, float, float, float]]:
    from litestar.testing import AsyncTestClient

    from server.accounts.sessions import COOKIE_NAME, create_session
    from server.accounts.tables import User
    from server.app import create_app

    logging.disable(logging.INFO)  # the access log and httpx would print a line per request
    results = []
    sessions = {}
    for username in ("supervisor", "district"):
        user = await User.select(User.id).where(User.username == username).first()
        sessions[username] = await create_session(user["id"], kind="desktop")
    # The test client runs the app (and, on PostgreSQL, its connection pool, as deployed) on a loop
    # of its own: from here on the database is reached only through requests.
    async with AsyncTestClient(create_app(), base_url="http://localhost:8000") as client, Backends() as backends:
        for username, token in sessions.items():
            client.cookies.set(COOKIE_NAME, token)
            first = (await client.get("/api/review/queue")).json()
            scenarios = {
                "page 1 (todo)": "/review/",
                "page 2 (cursor)": f"/review/?cursor={first['next_cursor']}",
                "type+status filter": "/api/review/queue?type=tekun&status=publicizing",
                "overdue": "/api/review/queue?overdue=1&status=",
                "search name": f"/api/review/queue?q={SURNAMES[1234 % 20]}1234&status=",
                "search ID number": "/api/review/queue?q=44010619600101&status=",
                "search address": "/api/review/queue?q=测试路77号&status=",
                "newest first": "/api/review/queue?sort=updated_desc&status=",
            }
            for label, url in scenarios.items():
                await client.get(url)  # warm
                pids = await backends.pids()
                times, cpu, db_cpu = [], [], []
                for _ in range(requests):
                    started, started_cpu, started_db = time.perf_counter(), time.process_time(), cpu_seconds(pids)
                    response = await client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                    db_cpu.append((cpu_seconds(pids) - started_db) * 1000)
                    assert response.status_code == 200, response.text[:300]
                server = [a + b for a, b in zip(cpu, db_cpu)]
                results.append((username, label, statistics.median(times), p95(times), p95(cpu), p95(server)))
    return results


def child(engine: str, cases: int, requests: int) -> None:
    async def main() -> None:
        started = time.perf_counter()
        await populate(cases)
        print(f"[{engine}] {cases:,} cases loaded in {time.perf_counter() - started:.0f} s", flush=True)
        print(f"[{engine}] load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
        for username, label, p50, wall95, cpu95, server95 in await measure(requests):
            flag = "" if server95 < 100 else "  (over 100 ms)"
            print(f"[{engine}] {username:<10} {label:<20} wall p50 {p50:6.1f} ms  p95 {wall95:6.1f} ms   "
                  f"CPU p95: app {cpu95:6.1f} ms, app+database {server95:6.1f} ms{flag}", flush=True)
        print(f"[{engine}] load average {os.getloadavg()[0]:.1f} at the end", flush=True)

    asyncio.run(main())


def run_engine(engine: str, cases: int, requests: int) -> int:
    env = {**os.environ, "DOORSTEP_HOME": tempfile.mkdtemp(prefix="doorstep-bench-")}
    env.pop("DATABASE_URL", None)
    database = None
    if engine == "postgres":
        import asyncpg

        database = f"doorstep_bench_{uuid.uuid4().hex[:8]}"

        async def admin(sql: str) -> None:
            connection = await asyncpg.connect(PG_URL)
            try:
                await connection.execute(sql)
            finally:
                await connection.close()

        asyncio.run(admin(f'CREATE DATABASE "{database}"'))
        env["DATABASE_URL"] = PG_URL.rsplit("/", 1)[0] + f"/{database}"
    try:
        return subprocess.call([sys.executable, __file__, "--child", engine, "--cases", str(cases), "--requests", str(requests)], env=env, cwd=REPO)
    finally:
        if database:
            asyncio.run(admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40, help="requests per scenario")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(REPO))
        child(args.child, args.cases, args.requests)
        sys.exit(0)
    engines = ["sqlite", "postgres"] if args.engine == "both" else [args.engine]
    sys.exit(max(run_engine(engine, args.cases, args.requests) for engine in engines))
