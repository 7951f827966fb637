"""`doorstep serve` under Granian: workers never outlive their supervisor, and forwarded client
addresses are believed only from trusted proxies."""

from __future__ import annotations

import asyncio
import time


from server.serving import behind_proxies
from server.settings import get_settings
from tests.support.serve import Server, listens_on, process_tree


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
