"""A real server process killed (SIGKILL) in the middle of pushes: after a restart, the effects and
the client's last_mutation_id agree (no half-applied batch), and re-sending finishes the job
with every mutation applied exactly once."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import httpx

from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import User
from server.households.tables import Household
from sync.tables import SyncClient, SyncMutation
from tests.api.test_sync_support import household_args, mutation

ROOT = Path(__file__).resolve().parents[2]
BATCH = 50
TOTAL = 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "PORT": str(port), "DOORSTEP_ORIGIN": f"http://localhost:{port}"}
    log = Path(os.environ["DOORSTEP_HOME"]) / f"serve-{port}.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    async with httpx.AsyncClient() as http:
        for _ in range(300):
            try:
                if (await http.get(f"http://localhost:{port}/healthz", timeout=1)).status_code == 200:
                    return process
            except httpx.HTTPError:
                pass
            assert process.poll() is None, f"the server exited during start-up: {log.read_text()[-2000:]}"
            await asyncio.sleep(0.1)
    process.kill()
    raise AssertionError("the server did not start")


async def _client(port: int, token: str) -> httpx.AsyncClient:
    http = httpx.AsyncClient(base_url=f"http://localhost:{port}", timeout=30)
    http.cookies.set(COOKIE_NAME, token)
    await http.get("/")
    http.headers["x-csrftoken"] = http.cookies.get("csrftoken")
    return http


async def _server_state(client_id: str, household_ids: list[uuid.UUID]) -> tuple[int, int, int]:
    """(last_mutation_id, households present, stored mutations) as the database holds them."""
    row = await SyncClient.select(SyncClient.last_mutation_id).where(SyncClient.client_id == client_id).first()
    present = await Household.count().where(Household.id.is_in(household_ids))
    stored = await SyncMutation.count().where(SyncMutation.client_id == client_id)
    return (row["last_mutation_id"] if row else 0), present, stored


async def _push_until_killed(http: httpx.AsyncClient, client_id: str, outbox: list[dict], acked: list[int]) -> None:
    """Push the outbox in batches as a device does, until the connection dies."""
    while acked[0] < len(outbox):
        batch = outbox[acked[0] : acked[0] + BATCH]
        try:
            response = await http.post("/api/sync/push", json={"client_id": client_id, "mutations": batch})
        except httpx.HTTPError:
            return
        assert response.status_code == 200, response.text
        acked[0] = response.json()["last_mutation_id"]


async def test_push_survives_sigkill_mid_batch(demo):
    user = await User.select(User.id).where(User.username == "worker").first()
    token = await create_session(user["id"])
    client_id = str(uuid.uuid4())
    outbox = [mutation(i, "household.upsert", household_args(address=f"中山大道{i}号", seed=i % 900)) for i in range(1, TOTAL + 1)]
    ids = [uuid.UUID(m["args"]["id"]) for m in outbox]
    acked = [0]
    rng = random.Random(7)
    port = _free_port()
    kills = 0
    for _round in range(3):
        process = await _start_server(port)
        http = await _client(port, token)
        pushing = asyncio.create_task(_push_until_killed(http, client_id, outbox, acked))
        # Kill once the device is a few batches further (pushes are fast: a fixed delay could
        # find them all done), at a random moment within the batch in flight.
        target = acked[0] + rng.randint(1, 4) * BATCH
        while not pushing.done() and acked[0] < target:
            await asyncio.sleep(0.005)
        await asyncio.sleep(rng.uniform(0, 0.05))
        if not pushing.done():
            process.send_signal(signal.SIGKILL)
            kills += 1
        await pushing
        if process.poll() is None:  # every push finished before the kill: stop it the same way
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        await http.aclose()
        last, present, stored = await _server_state(client_id, ids)
        # Nothing half-applied: the effects and the confirmed id moved together.
        assert present == last == stored
        assert acked[0] <= last
    assert kills >= 1, "the server was never killed in the middle of pushing"
    # Restart and let the device re-send everything it holds unconfirmed (and one confirmed batch).
    process = await _start_server(port)
    try:
        http = await _client(port, token)
        start = max(0, acked[0] - 5)
        while acked[0] < TOTAL:
            response = await http.post("/api/sync/push", json={"client_id": client_id, "mutations": outbox[start : start + BATCH]})
            assert response.status_code == 200, response.text
            body = response.json()
            assert {r["status"] for r in body["results"]} <= {"applied", "duplicate"}
            acked[0] = body["last_mutation_id"]
            start = acked[0]
        await http.aclose()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert await _server_state(client_id, ids) == (TOTAL, TOTAL, TOTAL)
