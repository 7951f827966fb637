"""The review queue at 100,000 cases: p50/p95 server time of GET /review/ and /api/review/queue.

    .venv/bin/python bench/review_queue.py                      # both engines, 100,000 cases
    .venv/bin/python bench/review_queue.py --engine sqlite --cases 20000

Prints figures; it is not a test. Each engine gets a fresh database (a temporary SQLite file, or
a new PostgreSQL database beside TEST_PG_URL's, dropped afterwards), the demo areas and users, and
N cases spread over the demo's communities with a household and two members each. Requests go
through the real application in-process (no network), signed in as the street supervisor and as
the district officer; the time measured is from the request entering the ASGI app to the last
byte of the answer.
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

REPO = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
STATUSES = ["submitted"] * 4 + ["publicizing", "returned", "investigating", "approved", "approved", "rejected", "closed", "draft"]
TYPES = ["dibao", "dibao", "tekun", "temporary", "extension", "referral"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"


async def populate(n: int) -> None:
    from datetime import date, datetime, timedelta, timezone

    from server.areas.tables import Area
    from server.cases.tables import Case
    from server.db import migrate
    from server.demo import load_demo
    from server.households.idnumber import check_character
    from server.households.tables import Household, Person
    from sync.db import write_transaction

    await migrate()
    await load_demo()
    rng = random.Random(7)
    communities = [r["id"] for r in await Area.select(Area.id).where(Area.level == "community")]
    now = datetime.now(timezone.utc)
    batch = 2000
    for start in range(0, n, batch):
        households, people, cases = [], [], []
        for i in range(start, min(n, start + batch)):
            area = communities[i % len(communities)]
            hid = uuid.uuid4()
            opened = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 120))
            households.append(Household(id=hid, area=area, address=f"测试路{i % 500}号{i}房", created_at=opened, updated_at=opened))
            for position in range(2):
                first17 = f"440106{1950 + i % 50}0101{(i * 2 + position) % 1000:03d}"
                people.append(Person(id=uuid.uuid4(), household=hid, position=position, name=f"{SURNAMES[i % 20]}{i}-{position}",
                                     relation="self" if position == 0 else "spouse", id_number=first17 + check_character(first17),
                                     birth_date=date(1950 + i % 50, 1, 1)))
            cases.append(Case(id=uuid.uuid4(), household=hid, area=area, type=rng.choice(TYPES), status=rng.choice(STATUSES),
                              procedure="normal", opened_at=opened, updated_at=opened, version=1))
        async with write_transaction(Case._meta.db):
            await Household.insert(*households)
            await Person.insert(*people)
            await Case.insert(*cases)


async def measure(requests: int) -> list[tuple[str, str, float, float]]:
    from litestar.testing import AsyncTestClient

    from server.accounts.sessions import COOKIE_NAME, create_session
    from server.accounts.tables import User
    from server.app import create_app

    logging.disable(logging.INFO)  # the access log and httpx would print a line per request
    results = []
    async with AsyncTestClient(create_app(), base_url="http://localhost:8000") as client:
        for username in ("supervisor", "district"):
            user = await User.select(User.id).where(User.username == username).first()
            client.cookies.set(COOKIE_NAME, await create_session(user["id"], kind="desktop"))
            first = (await client.get("/api/review/queue")).json()
            scenarios = {
                "page 1 (todo)": "/review/",
                "page 2 (cursor)": f"/review/?cursor={first['next_cursor']}",
                "type+status filter": "/api/review/queue?type=tekun&status=publicizing",
                "overdue": "/api/review/queue?overdue=1&status=",
                "search name": "/api/review/queue?q=王1234&status=",
                "search ID number": "/api/review/queue?q=44010619600101&status=",
                "newest first": "/api/review/queue?sort=updated_desc&status=",
            }
            for label, url in scenarios.items():
                await client.get(url)  # warm
                times = []
                for _ in range(requests):
                    started = time.perf_counter()
                    response = await client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                    assert response.status_code == 200, response.text[:300]
                times.sort()
                p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
                results.append((username, label, statistics.median(times), p95))
    return results


def child(engine: str, cases: int, requests: int) -> None:
    async def main() -> None:
        started = time.perf_counter()
        await populate(cases)
        print(f"[{engine}] {cases:,} cases loaded in {time.perf_counter() - started:.0f} s", flush=True)
        for username, label, p50, p95 in await measure(requests):
            flag = "" if p95 < 100 else "  (over 100 ms)"
            print(f"[{engine}] {username:<10} {label:<20} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms{flag}", flush=True)

    asyncio.run(main())


def run_engine(engine: str, cases: int, requests: int) -> int:
    env = {**os.environ, "DOORSTEP_HOME": tempfile.mkdtemp(prefix="doorstep-bench-"), "DOORSTEP_DB_POOL_SIZE": "0"}
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
