"""Devices that keep syncing through faults, and the check afterwards.

A `RetryingDevice` behaves like the field app's outbox and upload queue: it keeps creating
households and cases, uploads an evidence file now and then by tus and attaches it, and retries
whatever did not get a clear answer (a refused connection, a cut request, a 5xx) until the server
confirms it. `check_nothing_lost_or_doubled` then compares the database and the media store
with what each device sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from pathlib import Path

import httpx
from piccolo.querystring import QueryString

from server.accounts.sessions import COOKIE_NAME
from tests.api.test_sync_support import household_args, mutation
from tests.support.media import TUS, metadata, mp4

BATCH = 10
CHUNK = 256 * 1024
FILE_SIZE = 1024 * 1024
FILE_EVERY = 4  # one evidence file per this many households
# The demo's grid workers and their communities: one device each.
DEMO_WORKERS = (("worker", "440106004001"), ("worker2", "440106004002"), ("worker3", "440111002001"))


class RetryingDevice:
    def __init__(self, url: str, session_token: str, community: str, seed: int) -> None:
        self.url, self.token, self.community, self.seed = url, session_token, community, seed
        self.client_id = str(uuid.uuid4())
        self.outbox: list[dict] = []
        self.next_id = 1
        self.households: set[str] = set()
        self.cases: set[str] = set()
        self.evidence: dict[str, str] = {}  # evidence id -> sha256
        self.files: dict[str, bytes] = {}  # sha256 -> bytes
        self.failures = 0  # requests that got no answer or a 5xx, and were retried
        self.http: httpx.AsyncClient | None = None

    def _queue(self, name: str, args: dict) -> None:
        self.outbox.append(mutation(self.next_id, name, args))
        self.next_id += 1

    async def _request(self, method: str, path: str, ok: tuple[int, ...], **kwargs) -> httpx.Response:
        """Send until the server gives one of the expected answers; every other outcome is retried."""
        while True:
            try:
                if self.http is None:
                    self.http = httpx.AsyncClient(base_url=self.url, timeout=30, cookies={COOKIE_NAME: self.token})
                    await self.http.get("/")
                    self.http.headers["x-csrftoken"] = self.http.cookies["csrftoken"]
                response = await self.http.request(method, path, **kwargs)
                if response.status_code in ok:
                    return response
                assert response.status_code >= 500 or response.status_code == 423, f"{method} {path}: {response.status_code} {response.text}"
            except (httpx.HTTPError, KeyError):
                pass
            self.failures += 1
            await asyncio.sleep(0.05)

    async def push_outbox(self) -> None:
        while self.outbox:
            body = {"client_id": self.client_id, "mutations": self.outbox[:BATCH]}
            answer = (await self._request("POST", "/api/sync/push", (200,), json=body)).json()
            statuses = {r["status"] for r in answer["results"]}
            assert statuses <= {"applied", "duplicate", "retry"}, answer
            self.outbox = [m for m in self.outbox if m["id"] > answer["last_mutation_id"]]

    async def upload(self, data: bytes) -> None:
        """tus: create, then PATCH in chunks from the server's offset (HEAD after a failure)."""
        headers = TUS | {"Upload-Length": str(len(data)), "Upload-Metadata": metadata(data, filetype="video/mp4")}
        location = (await self._request("POST", "/api/uploads/", (201,), headers=headers)).headers["location"]
        offset = 0
        while offset < len(data):
            patch = TUS | {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
            try:
                response = await self.http.patch(location, content=data[offset : offset + CHUNK], headers=patch)
                if response.status_code == 204:
                    offset = int(response.headers["upload-offset"])
                    continue
                assert response.status_code in (409, 423) or response.status_code >= 500, response.text
            except httpx.HTTPError:
                pass
            self.failures += 1
            offset = int((await self._request("HEAD", location, (200,), headers=TUS)).headers["upload-offset"])

    async def one_visit(self, n: int) -> None:
        household = household_args(area=self.community, address=f"故障测试{self.seed}-{n}号", seed=n % 900)
        case_id = str(uuid.uuid4())
        self._queue("household.upsert", household)
        self._queue("case.create", {"id": case_id, "type": "dibao", "household_id": household["id"]})
        self.households.add(household["id"])
        self.cases.add(case_id)
        await self.push_outbox()
        if n % FILE_EVERY == 0:
            data = mp4(FILE_SIZE)
            await self.upload(data)
            digest = hashlib.sha256(data).hexdigest()
            evidence_id = str(uuid.uuid4())
            self._queue("evidence.attach", {"id": evidence_id, "case_id": case_id, "sha256": digest, "kind": "video", "captured_at": "2026-05-23T09:14:00+08:00"})
            self.evidence[evidence_id], self.files[digest] = digest, data
            await self.push_outbox()

    async def run(self, stop: asyncio.Event) -> None:
        """Sync until told to stop, then finish what is in the outbox."""
        n = 0
        while not stop.is_set():
            n += 1
            await self.one_visit(n)
        await self.push_outbox()
        await self.http.aclose()


def summary(devices: list[RetryingDevice]) -> str:
    """What the devices did, for the output of `pytest -s` (the README quotes it)."""
    mutations = sum(device.next_id - 1 for device in devices)
    files = sum(len(device.files) for device in devices)
    retried = sum(device.failures for device in devices)
    return f"{len(devices)} devices: {mutations} mutations, {files} files of {FILE_SIZE // 1024} KiB, {retried} requests retried"


async def check_nothing_lost_or_doubled(engine, media: Path, devices: list[RetryingDevice]) -> None:
    """Every mutation applied once, every record once at version 1, every file whole and right."""

    async def rows(sql: str, *args) -> list[dict]:
        return await engine.run_querystring(QueryString(sql, *args))

    def listed(ids) -> str:
        return ", ".join(f"'{uuid.UUID(i)}'" for i in ids)  # UUIDs this test made: safe literals

    for device in devices:
        sent = device.next_id - 1
        (client,) = await rows("SELECT last_mutation_id FROM sync_client WHERE client_id = {}", device.client_id)
        assert client["last_mutation_id"] == sent
        stored = await rows("SELECT mutation_id, status FROM sync_mutation WHERE client_id = {} ORDER BY mutation_id", device.client_id)
        assert [r["mutation_id"] for r in stored] == list(range(1, sent + 1)), "a mutation is missing or stored twice"
        assert {r["status"] for r in stored} == {"applied"}
        for table, ids in (("household", device.households), ("assistance_case", device.cases), ("evidence", device.evidence)):
            found = await rows(f"SELECT id, version FROM {table} WHERE id IN ({listed(ids)})")
            assert sorted(str(r["id"]) for r in found) == sorted(ids), f"{table}: records lost"
            assert {r["version"] for r in found} == {1}, f"{table}: a record was applied twice"
        attached = await rows("SELECT id, sha256 FROM evidence WHERE client_id = {}", device.client_id)
        assert {str(r["id"]): r["sha256"] for r in attached} == device.evidence
        for digest, data in device.files.items():
            blob = media / "blobs" / digest[:2] / digest
            assert blob.read_bytes() == data and hashlib.sha256(blob.read_bytes()).hexdigest() == digest
