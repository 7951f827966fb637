"""Plain parameterised SQL on the connection of the current transaction, for the push's hot path.

Piccolo's query builder costs a few hundred microseconds of CPU to build one query; a push
writes thousands of rows a second, so the engine's own bookkeeping (client row, mutation log,
change feed) and the batched forms of handlers send their statements straight to the driver
(aiosqlite or asyncpg) of the transaction Piccolo opened, several rows per round trip.

Statements are written once with `?` placeholders; PostgreSQL receives `$1, $2 ...`. Values are
the Python values Piccolo would send (UUID, datetime, date, bool ...): Piccolo registered the
SQLite adapters for them, and asyncpg takes them as they are. JSON is sent as text.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import Any

from piccolo.engine.postgres import PostgresEngine


_MAX_PARAMETERS = 30_000  # PostgreSQL takes at most 32,767 parameters in one statement


@functools.lru_cache(maxsize=256)
def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL's `$1, $2 ...` (the statements here hold no literal `?`)."""
    parts = sql.split("?")
    return "".join(part + (f"${index}" if index < len(parts) else "") for index, part in enumerate(parts, start=1))


def placeholders(count: int) -> str:
    """`?, ?, ?` for an IN list of `count` values."""
    return ", ".join("?" * count)


class Connection:
    """The driver connection of the current transaction, with one way to talk to both engines."""

    def __init__(self, raw: Any, postgres: bool) -> None:
        self.raw = raw
        self.postgres = postgres

    async def fetch(self, sql: str, *args: Any) -> list[dict]:
        if self.postgres:
            return [dict(row) for row in await self.raw.fetch(_numbered(sql), *args)]
        return list(await self.raw.execute_fetchall(sql, args))

    async def execute(self, sql: str, *args: Any) -> None:
        if self.postgres:
            await self.raw.execute(_numbered(sql), *args)
        else:
            await self.raw.execute_fetchall(sql, args)

    async def execute_many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self.postgres:
            await self.raw.executemany(_numbered(sql), rows)
        else:
            await self.raw.executemany(sql, rows)

    async def insert_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """INSERT every row (values in the order of `columns`) in one round trip.

        SQLite runs executemany in its own C loop; PostgreSQL executes each row of an
        executemany as a statement of its own, so it gets multi-row VALUES lists instead.
        """
        if not rows:
            return
        insert = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
        one_row = f"({placeholders(len(columns))})"
        if not self.postgres:
            await self.execute_many(insert + one_row, rows)
            return
        for chunk in chunks(rows, max(1, _MAX_PARAMETERS // len(columns))):
            values = [value for row in chunk for value in row]
            await self.execute(insert + ", ".join([one_row] * len(chunk)), *values)


def in_transaction(db) -> Connection:
    """The connection of the transaction open on `db` in this task; RuntimeError when none is."""
    transaction = db.current_transaction.get()
    if transaction is None:
        raise RuntimeError("sync.sql needs an open transaction (write_transaction)")
    return Connection(transaction.connection, isinstance(db, PostgresEngine))


def chunks(items: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    """Slices of at most `size` items (IN lists stay well under both engines' parameter limits)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
