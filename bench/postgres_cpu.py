"""CPU time of the PostgreSQL backends serving a database, read from /proc (same machine).

The benchmarks add it to the application's own CPU time: the database's work is server time too.
"""

from __future__ import annotations

BACKENDS = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"


async def backend_pids(connection) -> list[int]:
    """The backends of `connection`'s database other than its own (an asyncpg connection)."""
    return [row["pid"] for row in await connection.fetch(BACKENDS)]


async def backend_pids_of(url: str) -> list[int]:
    """The same over a short-lived connection to `url`."""
    import asyncpg

    connection = await asyncpg.connect(url, timeout=10)
    try:
        return await backend_pids(connection)
    finally:
        await connection.close()


def cpu_seconds(pids: list[int]) -> float:
    """CPU time the processes `pids` have run, from /proc/<pid>/schedstat (gone processes count 0)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/schedstat") as stat:
                total += int(stat.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return total / 1e9
