"""Load: N grid workers' phones against a real `doorstep serve` on PostgreSQL, then a check that
the server holds exactly what the phones sent.

    .venv/bin/python bench/load.py                                  # 200 devices, 60 s, 2 server processes
    .venv/bin/python bench/load.py --devices 50 --duration 20 --workers 4

Set-up: a scratch PostgreSQL database beside TEST_PG_URL (default the machine's `test`), the
migrations and the demo, then one grid worker per device spread over the demo's communities, each
signed in by a session created directly in the database (the passkey ceremony is tested elsewhere;
here it would only load the rate-limited /auth endpoints). The server is started as an operator
would: `doorstep serve --workers W`.

Each device repeats a visit until the time is up: push `household.upsert`, `case.create` and
`visit.record` in one push; upload a photo by tus (POST with its SHA-256 in Upload-Metadata, then
PATCH); push `evidence.attach`; pull its scope's changes. A failed request is retried as a phone
would (the outbox keeps what the server did not confirm). After the time is up every device
drains its outbox, and the database and media store are compared with what each device sent.
Prints requests/s and latency percentiles per request kind, errors, and the machine's load average.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import io
import os
import random
import resource
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx
import postgres_cpu
from processes import scheduler_seconds

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.load_check import check_server  # noqa: E402
from bench.sync_common import fresh_database  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
CREATED_AT = "2026-05-23T09:14:00+08:00"
PUSH_LIMIT = 100


class Stats:
    """Latency of every request by kind, and the errors (status or exception) by kind."""

    def __init__(self) -> None:
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    async def timed(self, kind: str, request, ok: tuple[int, ...]) -> httpx.Response | None:
        started = time.perf_counter()
        try:
            response = await request
        except httpx.HTTPError as exc:
            self.errors[kind][type(exc).__name__] += 1
            return None
        self.latency[kind].append(time.perf_counter() - started)
        if response.status_code not in ok:
            self.errors[kind][str(response.status_code)] += 1
            return None
        return response


class Device:
    """One phone: a signed-in worker, a client id, an outbox, a pull cursor, what it has sent."""

    def __init__(self, index: int, url: str, token: str, community: str, stats: Stats) -> None:
        self.index, self.community, self.stats = index, community, stats
        self.http = httpx.AsyncClient(base_url=url, timeout=120, cookies={"doorstep_session": token})
        self.client_id = str(uuid.uuid4())
        self.next_id = 1
        self.outbox: list[dict] = []
        self.sent: dict[str, dict[str, dict]] = defaultdict(dict)  # mutation name -> record id -> args
        self.files: dict[str, bytes] = {}  # sha256 -> content uploaded
        self.cursor: str | None = None
        self.rng = random.Random(index)

    async def start(self) -> None:
        await self.http.get("/healthz")
        await self.http.get("/")
        self.http.headers["x-csrftoken"] = self.http.cookies["csrftoken"]

    def queue(self, name: str, args: dict) -> None:
        self.outbox.append({"id": self.next_id, "name": name, "args": args, "base_version": None, "created_at": CREATED_AT})
        self.sent[name][args["id"]] = args
        self.next_id += 1

    async def push(self) -> None:
        """Send the outbox; drop what the server settled (every mutation here must apply)."""
        body = {"client_id": self.client_id, "mutations": self.outbox[:PUSH_LIMIT]}
        response = await self.stats.timed("push", self.http.post("/api/sync/push", json=body), (200,))
        if response is None:
            return
        answer = response.json()
        for result in answer["results"]:
            if result["status"] not in ("applied", "duplicate"):
                self.stats.errors["push"][f"mutation {result['status']}"] += 1
        self.outbox = [m for m in self.outbox if m["id"] > answer["last_mutation_id"]]

    async def upload(self, data: bytes) -> bool:
        """tus: create, then PATCH from the server's offset until the file is complete."""
        digest = hashlib.sha256(data).hexdigest()
        meta = {"filename": f"visit-{self.index}.jpg", "filetype": "image/jpeg", "sha256": digest}
        headers = {
            "Tus-Resumable": "1.0.0",
            "Upload-Length": str(len(data)),
            "Upload-Metadata": ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in meta.items()),
        }
        created = await self.stats.timed("tus create", self.http.post("/api/uploads/", headers=headers), (201,))
        if created is None:
            return False
        location, offset = created.headers["location"], 0
        for _attempt in range(5):
            patch_headers = {"Tus-Resumable": "1.0.0", "Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
            patched = await self.stats.timed("tus patch", self.http.patch(location, content=data[offset:], headers=patch_headers), (204,))
            if patched is not None:
                self.files[digest] = data
                return True
            head = await self.stats.timed("tus head", self.http.head(location, headers={"Tus-Resumable": "1.0.0"}), (200,))
            offset = int(head.headers["upload-offset"]) if head is not None else offset
        return False

    async def pull(self, stats: Stats | None = None) -> None:
        while True:
            params = {"limit": 500} | ({"cursor": self.cursor} if self.cursor else {})
            response = await (stats or self.stats).timed("pull", self.http.get("/api/sync/pull", params=params), (200,))
            if response is None:
                return
            body = response.json()
            self.cursor = body["cursor"]
            if not body["has_more"]:
                return

    async def visit(self, photo: bytes) -> None:
        household_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.queue("household.upsert", household_args(household_id, self.community, self.index, self.next_id))
        self.queue("case.create", {"id": case_id, "type": "dibao", "household_id": household_id, "procedure": "emergency"})
        self.queue("visit.record", visit_args(case_id))
        await self.push()
        data = photo + os.urandom(16) + self.rng.randbytes(self.rng.randrange(20_000, 120_000))
        if await self.upload(data):
            evidence = {"id": str(uuid.uuid4()), "case_id": case_id, "sha256": hashlib.sha256(data).hexdigest(), "kind": "photo", "captured_at": CREATED_AT}
            self.queue("evidence.attach", evidence)
            await self.push()
        await self.pull()

    async def run(self, photo: bytes, until: float, think: float) -> None:
        while time.monotonic() < until:
            await self.visit(photo)
            await asyncio.sleep(self.rng.uniform(0, 2 * think))

    async def drain(self, until: float) -> None:
        while self.outbox and time.monotonic() < until:
            await self.push()
            if self.outbox:
                await asyncio.sleep(1)


def household_args(household_id: str, community: str, device: int, n: int) -> dict:
    from server.households.idnumber import check_character

    first17 = f"440106{1950 + device % 50}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
    member = {"name": f"负荷测试{device}-{n}", "id_number": first17 + check_character(first17), "relation": "self"}
    return {"id": household_id, "area": community, "address": f"天河北路{device}号{n}房", "members": [member]}


def visit_args(case_id: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "case_id": case_id,
        "mode": "video_call",
        "investigators": ["王网格", "赵社工"],
        "visited_at": CREATED_AT,
        "members_situation": "申请人独居",
        "notes": "视频通话确认",
    }


def a_photo() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 120, 60)).save(out, "JPEG", quality=85)
    return out.getvalue()


async def prepare_workers(devices: int) -> list[tuple[str, str]]:
    """Migrate, load the demo, add one grid worker per device; answers (session token, community)."""
    import server  # noqa: F401
    from server.accounts.roles import GRID_WORKER
    from server.accounts.sessions import create_session
    from server.accounts.tables import User
    from server.areas.tables import Area
    from server.clock import now
    from server.db import migrate
    from server.demo import load_demo

    await migrate()
    await load_demo()
    communities = await Area.select(Area.id, Area.code).where(Area.level == "community").order_by(Area.code)
    signed_in = []
    for i in range(devices):
        area = communities[i % len(communities)]
        user = User(username=f"load{i:04d}", display_name=f"负荷{i}", role=GRID_WORKER, area=area["id"], created_at=now())
        await user.save()
        signed_in.append((await create_session(user.id), area["code"]))
    return signed_in


def start_server(port: int, workers: int, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "server.cli", "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(command, cwd=REPO, env=dict(os.environ), stdout=log.open("wb"), stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            if httpx.get(f"http://localhost:{port}/healthz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text()[-2000:]}")
        time.sleep(0.1)
    raise SystemExit("the server did not start")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its descendants (Granian's workers)."""
    return scheduler_seconds(pid)[0]


async def database_cpu_seconds() -> dict[int, float]:
    """CPU time of each PostgreSQL backend serving this database (the server's pooled connections)."""
    pids = await postgres_cpu.backend_pids_of(os.environ["DATABASE_URL"])
    return {pid: postgres_cpu.cpu_seconds([pid]) for pid in pids}


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def metrics_check(url: str, sent: int, files: int) -> list[str]:
    """/metrics, added up over every server process, must count what the devices sent."""
    async with httpx.AsyncClient() as http:
        text = (await http.get(f"{url}/metrics")).text

    def value(line_start: str) -> float:
        return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(line_start))

    applied = value('doorstep_sync_mutations_total{status="applied"}')
    duplicate = value('doorstep_sync_mutations_total{status="duplicate"}')
    completed = value('doorstep_uploads_total{outcome="completed"}')
    print(f"/metrics: {applied:.0f} mutations applied (sent {sent}), {duplicate:.0f} duplicates answered, {completed:.0f} uploads completed (files {files})")
    return [] if applied == sent and completed >= files else ["/metrics does not count what was sent"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


async def first_pulls(devices: list[Device], at_once: int = 20) -> Stats:
    """Each device's pull from nothing, 20 at a time: a new install, not the steady state timed after."""
    gate, stats = asyncio.Semaphore(at_once), Stats()

    async def pull(device: Device) -> None:
        async with gate:
            await device.pull(stats)

    await asyncio.gather(*(pull(d) for d in devices))
    return stats


def report(first: Stats, stats: Stats, seconds: float, load: list[float]) -> None:
    pulls = first.latency["pull"]
    print(f"\nfirst pull from nothing, 20 devices at a time: {len(pulls)} requests, p50 {percentile(pulls, .5):.0f} ms, "
          f"p95 {percentile(pulls, .95):.0f} ms, errors {dict(first.errors.get('pull', {})) or '-'}")
    total = sum(len(v) for v in stats.latency.values())
    print(f"\n{total} requests answered in {seconds:.1f} s: {total / seconds:.1f} requests/s")
    print(f"{'kind':<12}{'count':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  errors")
    for kind, values in sorted(stats.latency.items()):
        errors = dict(stats.errors.get(kind, {})) or "-"
        print(f"{kind:<12}{len(values):>8}{len(values) / seconds:>8.1f}{percentile(values, .5):>9.0f}{percentile(values, .95):>9.0f}{percentile(values, .99):>9.0f}  {errors}")
    for kind in set(stats.errors) - set(stats.latency):
        print(f"{kind:<12} errors only: {dict(stats.errors[kind])}")
    print(f"load average (1 min) during the run: mean {sum(load) / len(load):.1f}, max {max(load):.1f}")


async def watch_load(samples: list[float], stop: asyncio.Event) -> None:
    while not stop.is_set():
        samples.append(os.getloadavg()[0])
        await asyncio.sleep(2)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between a device's visits (s)")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    async with fresh_database("postgres"):
        print(f"preparing {args.devices} signed-in grid workers ...", flush=True)
        workers = await prepare_workers(args.devices)
        home = Path(os.environ["DOORSTEP_HOME"])
        server = start_server(args.port, args.workers, home / "serve.log")
        try:
            stats = Stats()
            url = f"http://localhost:{args.port}"
            devices = [Device(i, url, token, community, stats) for i, (token, community) in enumerate(workers)]
            await asyncio.gather(*(d.start() for d in devices))
            print("first pull of each device (from nothing, before the timed run) ...", flush=True)
            first = await first_pulls(devices)
            photo, load, stop = a_photo(), [], asyncio.Event()
            watcher = asyncio.create_task(watch_load(load, stop))
            print(f"{args.devices} devices for {args.duration:.0f} s against {args.workers} server processes ...", flush=True)
            started, own_before, db_before = time.monotonic(), own_cpu_seconds(), await database_cpu_seconds()
            cpu_before, queued_before = scheduler_seconds(server.pid)
            await asyncio.gather(*(d.run(photo, started + args.duration, args.think) for d in devices))
            elapsed, own = time.monotonic() - started, own_cpu_seconds() - own_before
            cpu, queued = (after - before for after, before in zip(scheduler_seconds(server.pid), (cpu_before, queued_before)))
            db_after = await database_cpu_seconds()
            db = sum(db_after[pid] - db_before.get(pid, 0.0) for pid in db_after)
            stop.set()
            await watcher
            report(first, stats, elapsed, load)
            answered = sum(len(v) for v in stats.latency.values())
            print(f"server processes' CPU during the run: {cpu:.1f} s ({cpu / elapsed:.2f} cores), "
                  f"{cpu / answered * 1000:.0f} ms per request; PostgreSQL backends of this database: {db:.1f} s; "
                  f"this load generator: {own:.1f} s ({own / elapsed:.2f} cores)")
            print(f"server processes' time runnable but waiting for a CPU (taken by other processes): {queued:.1f} s")
            await asyncio.gather(*(d.drain(time.monotonic() + 120) for d in devices))
            for device in devices:
                await device.http.aclose()
            sent, files = sum(d.next_id - 1 for d in devices), sum(len(d.files) for d in devices)
            problems = await metrics_check(url, sent, files)
        finally:
            server.terminate()
            server.wait(timeout=60)
        problems += await check_server(devices, home / "media")
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
