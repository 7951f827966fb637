"""Pull timings: the first pull of a 2,000-case caseload, and an empty incremental pull.

    .venv/bin/python bench/sync_pull.py --engine sqlite
    .venv/bin/python bench/sync_pull.py --engine postgres
    .venv/bin/python bench/sync_pull.py --engine sqlite --concurrent 4

The caseload (2,000 households with two members each, and a case for each) is pushed by the
worker, then pulled from scratch following `has_more` with the largest page (limit=2000).
With `--concurrent N`, N first pulls are also timed one after another and then all at once
(N phones pulling together), in the same process and conditions, back to back.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid

from sync_common import caseload, fresh_database, parse_args, push_all, run, signed_in_client

CASES = 2000


async def _pull_all(http, cursor=None, limit=2000) -> tuple[dict, int]:
    records = 0
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await http.get("/api/sync/pull", params=params)
        response.raise_for_status()
        body = response.json()
        records += len(body["changes"])
        cursor = body["cursor"]
        if not body["has_more"]:
            return body, records


async def _together(http, count: int, engine: str) -> None:
    """`count` first pulls one after another, then all at once: wall time of each way."""
    rounds = []
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(count):
            await _pull_all(http)
        serial = time.perf_counter() - started
        started = time.perf_counter()
        await asyncio.gather(*(_pull_all(http) for _ in range(count)))
        rounds.append((serial, time.perf_counter() - started))
    serial, together = (statistics.median(times) for times in zip(*rounds))
    print(
        f"pull  engine={engine}  {count} first pulls  "
        f"one after another={serial * 1000:.0f} ms  all at once={together * 1000:.0f} ms  "
        f"ratio={together / serial:.2f} (medians of 3)  load average={os.getloadavg()[0]:.1f}"
    )


async def main() -> None:
    args = parse_args(__doc__.splitlines()[0], concurrent=True)
    async with fresh_database(args.engine), signed_in_client() as http:
        await push_all(http, str(uuid.uuid4()), caseload(CASES))
        await _pull_all(http)  # the first pull from scratch also feeds in the demo's records
        firsts, cpus = [], []
        for _ in range(3):
            started, cpu = time.perf_counter(), time.process_time()
            body, records = await _pull_all(http)
            firsts.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        print(
            f"pull  engine={args.engine}  first pull of {CASES:,} cases ({records:,} records incl. households)  "
            f"best={min(firsts) * 1000:.0f} ms  median={statistics.median(firsts) * 1000:.0f} ms  "
            f"CPU of this process={min(cpus) * 1000:.0f} ms  load average={os.getloadavg()[0]:.1f}"
        )
        if args.concurrent > 1:
            await _together(http, args.concurrent, args.engine)
        empties, cpu = [], time.process_time()
        for _ in range(50):
            started = time.perf_counter()
            response = await http.get("/api/sync/pull", params={"cursor": body["cursor"]})
            empties.append(time.perf_counter() - started)
            assert response.json()["changes"] == []
        cpu = (time.process_time() - cpu) / 50
        print(
            f"pull  engine={args.engine}  empty incremental pull  median={statistics.median(empties) * 1000:.1f} ms  "
            f"p90={sorted(empties)[44] * 1000:.1f} ms  CPU of this process={cpu * 1000:.1f} ms  load average={os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    run(main)
