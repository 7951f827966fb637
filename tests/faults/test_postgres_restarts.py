"""PostgreSQL restarted under a running server (crash-like, `pg_ctl restart -m immediate`, and
once stopped for a while) while three devices keep pushing and uploading. The server is never
restarted: /healthz answers 503 while the database is down and 200 again after, pushes succeed
again through its connection pool, and nothing was lost or doubled."""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import asyncpg
import httpx
import pytest
from piccolo.engine.postgres import PostgresEngine

from tests.faults.devices import DEMO_WORKERS, RetryingDevice, check_nothing_lost_or_doubled, summary
from tests.faults.private_postgres import PrivatePostgres
from tests.support.media import REPO
from tests.support.serve import Server, wait_healthy

pytestmark = pytest.mark.postgres_only

RESTARTS = 3
SESSIONS_SCRIPT = """
import asyncio, json, sys, server
from server.accounts.sessions import create_session
from server.accounts.tables import User
async def main():
    tokens = []
    for name in sys.argv[1:]:
        user = await User.select(User.id).where(User.username == name).first()
        tokens.append(await create_session(user["id"]))
    print(json.dumps(tokens))
asyncio.run(main())
"""


def doorstep(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


async def installation_on(postgres: PrivatePostgres) -> dict:
    """A migrated database with the demo on the private server; answers the server's environment."""
    connection = await asyncpg.connect(postgres.admin_url)
    await connection.execute("CREATE DATABASE doorstep")
    await connection.close()
    env = {
        **os.environ,
        "DATABASE_URL": postgres.url,
        "DOORSTEP_HOME": tempfile.mkdtemp(prefix="doorstep-pg-restart-"),
        "DOORSTEP_DB_POOL_SIZE": "4",  # a real pool, whose connections die with the restarts
    }
    doorstep(env, "-m", "server.cli", "demo", "--no-links")  # migrates first
    return env


async def test_postgres_restarts_under_the_server_lose_and_double_nothing():
    postgres = PrivatePostgres().start()
    server = None
    try:
        env = await installation_on(postgres)
        tokens = json.loads(doorstep(env, "-c", SESSIONS_SCRIPT, *(name for name, _ in DEMO_WORKERS)))
        server = Server(env)
        await server.start()
        devices = [RetryingDevice(server.url, token, community, seed) for seed, (token, (_, community)) in enumerate(zip(tokens, DEMO_WORKERS))]
        stop = asyncio.Event()
        syncing = [asyncio.create_task(device.run(stop)) for device in devices]
        rng = random.Random()
        try:
            for _ in range(RESTARTS):
                await asyncio.sleep(rng.uniform(0.5, 2.0))
                await asyncio.to_thread(postgres.restart, "immediate")
                await wait_healthy(server.url, server.process, server.log)
            # Down for a while: the server says so, and comes back by itself.
            await asyncio.to_thread(postgres.stop, "immediate")
            async with httpx.AsyncClient() as http:
                assert (await http.get(f"{server.url}/healthz", timeout=10)).status_code == 503
            await asyncio.sleep(1)
            await asyncio.to_thread(postgres.resume)
            await wait_healthy(server.url, server.process, server.log)
            assert not any(task.done() for task in syncing), [task.exception() for task in syncing if task.done()]
            stop.set()
            await asyncio.wait_for(asyncio.gather(*syncing), timeout=120)
        finally:
            stop.set()
            for task in syncing:
                task.cancel()
        assert server.process.poll() is None, "the server kept running through every restart"
        assert sum(device.failures for device in devices) >= 1, "no request ever met the database down"
        assert all(device.files for device in devices)
        engine = PostgresEngine(config={"dsn": postgres.url})
        await check_nothing_lost_or_doubled(engine, Path(env["DOORSTEP_HOME"]) / "media", devices)
        print(f"\n{RESTARTS} restarts and one stop of PostgreSQL; {summary(devices)}; nothing lost or doubled")
    finally:
        if server:
            server.stop()
            shutil.rmtree(server.env["DOORSTEP_HOME"], ignore_errors=True)
        postgres.destroy()
