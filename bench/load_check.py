"""After bench/load.py: does the server hold exactly what every device sent?

For each device (its client id and the records it sent, by mutation name):
- the server settled every mutation id it sent, once: `sync_client.last_mutation_id` is the
  device's last id and `sync_mutation` holds each id exactly once, applied;
- every household, case, visit and evidence item it created exists once, with the values sent,
  and nothing else was created under the device's client id;
- every evidence file is in the media store, its bytes hash to its name and equal the file sent.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path

import asyncpg

# mutation name -> (table, the columns compared with the arguments sent)
RECORDS = {
    "household.upsert": ("household", {"address": "address"}),
    "case.create": ("assistance_case", {"household": "household_id", "type": "type"}),
    "visit.record": ("visit", {"case": "case_id", "mode": "mode"}),
    "evidence.attach": ("evidence", {"case": "case_id", "sha256": "sha256"}),
}


async def check_server(devices, media: Path) -> list[str]:
    """Compare; print a summary and answer the problems found (empty when all is well)."""
    connection = await asyncpg.connect(os.environ["DATABASE_URL"])
    problems: list[str] = []
    try:
        for device in devices:
            problems += await _check_mutations(connection, device)
            for name, (table, columns) in RECORDS.items():
                problems += await _check_records(connection, device, table, columns, device.sent[name])
        problems += _check_files(devices, media)
        sent = sum(device.next_id - 1 for device in devices)
        records = Counter({name: sum(len(d.sent[name]) for d in devices) for name in RECORDS})
    finally:
        await connection.close()
    print(f"\nserver check: {sent} mutations sent by {len(devices)} devices; records {dict(records)}; "
          f"{sum(len(d.files) for d in devices)} files")
    for problem in problems[:50]:
        print("  PROBLEM:", problem)
    print("every mutation arrived exactly once, every file matches its hash" if not problems else f"{len(problems)} problems")
    return problems


async def _check_mutations(connection, device) -> list[str]:
    last = await connection.fetchval("SELECT last_mutation_id FROM sync_client WHERE client_id = $1", device.client_id)
    rows = await connection.fetch("SELECT mutation_id, status FROM sync_mutation WHERE client_id = $1", device.client_id)
    sent = device.next_id - 1
    problems = []
    if last != sent:
        problems.append(f"device {device.index}: server settled up to {last}, the device sent {sent}")
    counts = Counter(row["mutation_id"] for row in rows)
    if set(counts) != set(range(1, sent + 1)) or any(n != 1 for n in counts.values()):
        problems.append(f"device {device.index}: stored mutation ids differ from 1..{sent} or repeat")
    if any(row["status"] != "applied" for row in rows):
        problems.append(f"device {device.index}: not every mutation was applied: {Counter(r['status'] for r in rows)}")
    return problems


async def _check_records(connection, device, table: str, columns: dict[str, str], sent: dict[str, dict]) -> list[str]:
    if not sent:
        return []
    select = ", ".join(f'"{column}"::text AS "{column}"' for column in columns)
    rows = await connection.fetch(f'SELECT id::text AS id, {select} FROM "{table}" WHERE id = ANY($1::uuid[])', list(sent))
    problems = []
    if len(rows) != len(sent):
        problems.append(f"device {device.index}: {len(sent)} {table} records sent, {len(rows)} stored")
    for row in rows:
        args = sent[row["id"]]
        for column, argument in columns.items():
            if row[column] != str(args[argument]):
                problems.append(f"device {device.index}: {table} {row['id']}.{column} is {row[column]!r}, sent {args[argument]!r}")
    if table in ("visit", "evidence"):  # these keep the sending device's client id
        stored = await connection.fetchval(f'SELECT count(*) FROM "{table}" WHERE client_id = $1', device.client_id)
        if stored != len(sent):
            problems.append(f"device {device.index}: {stored} {table} records carry its client id, {len(sent)} sent")
    return problems


def _check_files(devices, media: Path) -> list[str]:
    problems = []
    for device in devices:
        for digest, data in device.files.items():
            blob = media / "blobs" / digest[:2] / digest
            if not blob.exists():
                problems.append(f"device {device.index}: file {digest} missing from the media store")
                continue
            content = blob.read_bytes()
            if hashlib.sha256(content).hexdigest() != digest or content != data:
                problems.append(f"device {device.index}: file {digest} does not match its hash or the bytes sent")
    return problems
