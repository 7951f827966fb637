"""Push throughput: mutations per second in batches of 100 (household.upsert + case.create).

    .venv/bin/python bench/sync_push.py --engine sqlite
    .venv/bin/python bench/sync_push.py --engine postgres
"""

from __future__ import annotations

import os
import time
import uuid

from sync_common import applied_in, caseload, database_server_cpu, encode_batches, fresh_database, parse_args, post_batches, push_all, run, signed_in_client

HOUSEHOLDS = 1500  # 3,000 mutations


async def main() -> None:
    args = parse_args(__doc__.splitlines()[0])
    async with fresh_database(args.engine), signed_in_client() as http:
        items = caseload(HOUSEHOLDS)
        await push_all(http, str(uuid.uuid4()), caseload(50))  # warm-up
        # The device's work (encoding the bodies, reading the answers) is left out of the timing.
        bodies = encode_batches(str(uuid.uuid4()), items, batch=100)
        server_cpu = await database_server_cpu()
        started, cpu = time.perf_counter(), time.process_time()
        responses = await post_batches(http, bodies)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        server_cpu = await database_server_cpu() - server_cpu
        applied = applied_in(responses)
        assert applied == len(items), f"only {applied} of {len(items)} applied"
        # CPU seconds of this process (app and SQLite alike) and of the PostgreSQL backends: on a
        # shared, loaded machine the wall clock mostly measures the other processes.
        both = f"  per CPU-second of app and PostgreSQL={len(items) / (cpu + server_cpu):,.0f}" if server_cpu else ""
        print(
            f"push  engine={args.engine}  mutations={len(items)}  batch=100  seconds={elapsed:.2f}  "
            f"throughput={len(items) / elapsed:,.0f} mutations/s  per CPU-second of this process={len(items) / cpu:,.0f}{both}  "
            f"CPU ms per mutation: app={cpu * 1000 / len(items):.3f} PostgreSQL={server_cpu * 1000 / len(items):.3f}  "
            f"load average={os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    run(main)
