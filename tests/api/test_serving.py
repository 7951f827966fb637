"""`doorstep serve` under Granian: workers never outlive their supervisor, and forwarded client
addresses are believed only from trusted proxies (on the wrapped app, and through a live server,
where the sign-in rate limit and the audit trail count by the address)."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from server.audit.tables import AuditEvent
from server.serving import behind_proxies
from server.settings import get_settings
from tests.support.auth import csrf
from tests.support.processes import process_tree
from tests.support.serve import Server, listens_on


async def test_a_worker_dies_with_its_supervisor_and_frees_the_port():
    server = Server()
    await server.start()
    workers = process_tree(server.process.pid)[1:]
    assert workers, "Granian runs the app in a worker process"
    assert any(listens_on(worker, server.port) for worker in workers)

    server.kill()  # SIGKILL: the supervisor gets no chance to stop its workers itself

    deadline = time.monotonic() + 10
    while any(_alive(worker) for worker in workers):
        assert time.monotonic() < deadline, f"workers {workers} outlived the killed supervisor"
        await asyncio.sleep(0.05)
    await server.start()  # the port is free again for the next server
    server.stop()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


async def _seen_by_the_app(client: str, headers: dict[str, str]) -> dict:
    seen = {}

    async def app(scope, receive, send):
        seen.update(client=scope["client"][0], scheme=scope["scheme"])

    scope = {
        "type": "http", "scheme": "http", "client": (client, 50000), "method": "GET", "path": "/",
        "headers": [(key.encode(), value.encode()) for key, value in headers.items()],
    }
    await behind_proxies(app)(scope, None, None)
    return seen


FORWARDED = {"x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https"}


async def test_a_trusted_proxy_names_the_client_and_the_scheme():
    assert await _seen_by_the_app("127.0.0.1", FORWARDED) == {"client": "203.0.113.7", "scheme": "https"}


async def test_anyone_else_cannot_claim_another_address():
    assert await _seen_by_the_app("198.51.100.9", FORWARDED) == {"client": "198.51.100.9", "scheme": "http"}


async def test_the_trusted_proxies_are_a_setting(monkeypatch):
    monkeypatch.setenv("DOORSTEP_TRUSTED_PROXIES", "10.0.0.0/8")
    get_settings.cache_clear()
    try:
        assert (await _seen_by_the_app("10.1.2.3", FORWARDED))["client"] == "203.0.113.7"
        assert (await _seen_by_the_app("127.0.0.1", FORWARDED))["client"] == "127.0.0.1"
    finally:
        monkeypatch.delenv("DOORSTEP_TRUSTED_PROXIES")
        get_settings.cache_clear()


FAILURES_PER_IP = 20  # failed sign-in verifications per address in 15 minutes (server/accounts/ratelimit.py)


async def _failed_sign_ins(server: Server, forwarded_for: str, count: int) -> list[int]:
    """Send `count` sign-in answers that fail verification through the live server, each
    forwarded "for" that address, from this test (a peer at 127.0.0.1); their statuses."""
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        await csrf(http)
        headers = {"x-forwarded-for": forwarded_for, "x-forwarded-proto": "https", "content-type": "application/json"}
        return [(await http.post("/auth/login/verify", content=b"{}", headers=headers)).status_code for _ in range(count)]


async def _audited_addresses() -> list[str]:
    rows = await AuditEvent.select(AuditEvent.detail).where(AuditEvent.action == "auth.signin_failed").order_by(AuditEvent.id)
    return [(json.loads(row["detail"]) if isinstance(row["detail"], str) else row["detail"])["ip"] for row in rows]


async def test_a_live_server_counts_sign_in_failures_by_the_address_a_trusted_proxy_forwards(clean_database):
    server = Server(env={"DOORSTEP_TRUSTED_PROXIES": "127.0.0.1"})
    await server.start()
    try:
        first = await _failed_sign_ins(server, "203.0.113.7", FAILURES_PER_IP + 1)
        other = await _failed_sign_ins(server, "203.0.113.8", 1)
    finally:
        server.stop()
    assert 429 not in first[:FAILURES_PER_IP] and first[-1] == 429  # that client's budget is spent
    assert other != [429]  # another client behind the same proxy still has its own
    assert await _audited_addresses() == ["203.0.113.7"] * FAILURES_PER_IP + ["203.0.113.8"]


async def test_a_live_server_ignores_addresses_forwarded_by_an_untrusted_peer(clean_database):
    server = Server(env={"DOORSTEP_TRUSTED_PROXIES": "10.0.0.0/8"})  # the test connects from 127.0.0.1
    await server.start()
    try:
        first = await _failed_sign_ins(server, "203.0.113.7", FAILURES_PER_IP)
        other = await _failed_sign_ins(server, "203.0.113.8", 1)
    finally:
        server.stop()
    assert 429 not in first
    assert other == [429]  # a made-up address does not buy a new budget: the peer's address counts
    assert await _audited_addresses() == ["127.0.0.1"] * FAILURES_PER_IP
