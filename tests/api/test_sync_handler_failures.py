"""A handler that fails unexpectedly: a bug is retried up to the limit and then rejected; a passing error is always retried."""

from __future__ import annotations

import sqlite3

import asyncpg.exceptions
import pytest

from sync import registry
from sync.failures import DEFAULT_MAX_ATTEMPTS, HANDLER_ERROR
from sync.tables import SyncFailure, SyncMutation
from tests.api.test_sync_support import mutation, new_client_id, push
from tests.support.auth import sign_in


@pytest.fixture
def failing_handler(monkeypatch) -> list[int]:
    """Registers "test.failing": mode "bug" raises a RuntimeError, a passing mode raises that error, "ok" applies."""
    calls: list[int] = []
    passing = {
        "sqlite_locked": sqlite3.OperationalError("database is locked"),
        "pg_serialization": asyncpg.exceptions.SerializationError("could not serialize access due to concurrent update"),
        "pg_lock_timeout": asyncpg.exceptions.LockNotAvailableError("canceling statement due to lock timeout"),
        "connection_lost": asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    }

    async def handler(ctx, args: dict) -> dict:
        calls.append(ctx.mutation_id)
        mode = args["mode"]
        if mode == "bug":
            raise RuntimeError("a deterministic bug")
        if mode in passing:
            raise passing[mode]
        return {"mode": mode}

    monkeypatch.setitem(registry._HANDLERS, "test.failing", handler)
    return calls


def rejected_count(text: str) -> float:
    line = next((l for l in text.splitlines() if l.startswith('doorstep_sync_mutations_total{status="rejected"}')), None)
    return float(line.split()[-1]) if line else 0.0


async def test_handler_bug_is_retried_then_rejected_and_the_outbox_moves_on(client, demo, failing_handler):
    await sign_in(client, "worker")
    cid = new_client_id()
    batch = [mutation(1, "test.failing", {"mode": "ok"}), mutation(2, "test.failing", {"mode": "bug"}), mutation(3, "test.failing", {"mode": "ok"})]
    metrics_before = rejected_count((await client.get("/metrics")).text)

    first = (await push(client, cid, batch)).json()
    assert first["last_mutation_id"] == 1
    assert [r["status"] for r in first["results"]] == ["applied", "retry"]
    for attempt in range(2, DEFAULT_MAX_ATTEMPTS):
        again = (await push(client, cid, batch[1:])).json()
        assert [r["status"] for r in again["results"]] == ["retry"] and again["last_mutation_id"] == 1
        assert again["results"][0]["attempts"] == attempt

    last = (await push(client, cid, batch[1:])).json()
    refused, moved_on = last["results"]
    assert refused["status"] == "rejected" and refused["code"] == HANDLER_ERROR and refused["attempts"] == DEFAULT_MAX_ATTEMPTS
    assert "请联系管理员" in refused["reason"]
    assert moved_on["status"] == "applied" and last["last_mutation_id"] == 3
    assert await SyncFailure.count() == 0
    logged = await SyncMutation.select(SyncMutation.status).where((SyncMutation.client_id == cid) & (SyncMutation.mutation_id == 2)).first()
    assert logged["status"] == "rejected"
    assert rejected_count((await client.get("/metrics")).text) == metrics_before + 1

    # The device sends it again (it missed the answer): the stored answer, not another attempt.
    repeated = (await push(client, cid, batch[1:2])).json()
    assert repeated["results"][0]["status"] == "duplicate" and repeated["results"][0]["original_status"] == "rejected"
    assert failing_handler.count(2) == DEFAULT_MAX_ATTEMPTS


@pytest.mark.parametrize("mode", ["sqlite_locked", "pg_serialization", "pg_lock_timeout", "connection_lost"])
async def test_passing_database_error_stays_retry_and_is_not_counted(client, demo, failing_handler, mode):
    await sign_in(client, "worker")
    cid = new_client_id()
    for _ in range(DEFAULT_MAX_ATTEMPTS + 2):
        body = (await push(client, cid, [mutation(1, "test.failing", {"mode": mode})])).json()
        assert body["results"][0]["status"] == "retry" and body["last_mutation_id"] == 0
        assert "attempts" not in body["results"][0]
    assert await SyncFailure.count() == 0
    settled = (await push(client, cid, [mutation(1, "test.failing", {"mode": "ok"})])).json()
    assert settled["results"][0]["status"] == "applied"


async def test_failed_attempts_are_counted_per_client(client, demo, failing_handler):
    await sign_in(client, "worker")
    first, second = new_client_id(), new_client_id()
    for _ in range(DEFAULT_MAX_ATTEMPTS - 1):
        await push(client, first, [mutation(1, "test.failing", {"mode": "bug"})])
    body = (await push(client, second, [mutation(1, "test.failing", {"mode": "bug"})])).json()
    assert body["results"][0]["status"] == "retry" and body["results"][0]["attempts"] == 1


async def test_a_mutation_that_succeeds_after_failing_leaves_no_count(client, demo, failing_handler):
    await sign_in(client, "worker")
    cid = new_client_id()
    await push(client, cid, [mutation(1, "test.failing", {"mode": "bug"})])
    assert await SyncFailure.count().where(SyncFailure.client_id == cid) == 1
    fixed = (await push(client, cid, [mutation(1, "test.failing", {"mode": "ok"})])).json()  # the bug was fixed
    assert fixed["results"][0]["status"] == "applied"
    assert await SyncFailure.count().where(SyncFailure.client_id == cid) == 0
