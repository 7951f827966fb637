"""Emptying the database between tests, on either engine."""

from __future__ import annotations

import asyncio
import sqlite3

from piccolo.conf.apps import Finder
from piccolo.engine.postgres import PostgresEngine


def all_tables():
    return Finder().get_table_classes()


async def truncate_all(engine) -> None:
    tables = [t._meta.tablename for t in all_tables()]
    if isinstance(engine, PostgresEngine):
        await _truncate_postgres(engine, tables)
        return
    # One connection and one transaction for every table (Piccolo would open one per statement).
    statements = [f"DELETE FROM {table};" for table in reversed(tables)]  # children before parents
    connection = sqlite3.connect(engine.path, timeout=30)
    try:
        has_sequences = connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone()
        if has_sequences:
            statements.append("DELETE FROM sqlite_sequence;")
        connection.executescript("BEGIN IMMEDIATE;" + "".join(statements) + "COMMIT;")
    finally:
        connection.close()


async def _truncate_postgres(engine, tables: list[str]) -> None:
    """DELETE from every table in one transaction, and the tables' sequences back to their start.

    TRUNCATE gives every table and index a new file: 0.2-0.4 s a test on this schema, a third of
    the PostgreSQL run. DELETE of the few rows a test leaves takes milliseconds. The tables are
    first locked against writers (SHARE ROW EXCLUSIVE; readers go on), as TRUNCATE locked them:
    a live server still answering the previous test's browser finishes its write first, or
    starts it after the tables are empty, never half-way. It may have locked two tables in the
    other order; PostgreSQL then aborts one side as a deadlock victim, and emptying the tables
    again is all there is to do. No foreign-key checks while deleting (every table is emptied)."""
    import asyncpg

    quoted = [f'"{table}"' for table in tables]
    regclasses = ", ".join(f"'{table}'" for table in quoted)
    script = (
        "BEGIN;"
        f"LOCK TABLE {', '.join(quoted)} IN SHARE ROW EXCLUSIVE MODE;"
        "SET LOCAL session_replication_role = replica;"
        + "".join(f"DELETE FROM {table};" for table in quoted)
        # The sequences the tables own (serial and identity columns), as RESTART IDENTITY did.
        + "SELECT setval(d.objid::regclass, s.seqstart, false) FROM pg_depend d"
        " JOIN pg_sequence s ON s.seqrelid = d.objid"
        " WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')"
        f" AND d.refobjid = ANY(ARRAY[{regclasses}]::regclass[]);"
        "COMMIT;"
    )
    connection = await _pg_connect(engine)
    try:
        for attempt in range(5):
            try:
                await connection.execute(script)
                return
            except asyncpg.exceptions.DeadlockDetectedError:
                await connection.execute("ROLLBACK")
                if attempt == 4:
                    raise
                await asyncio.sleep(0.2 * (attempt + 1))
    finally:
        await connection.close()


class DemoSnapshot:
    """The demo is loaded once per test run; later tests get a copy of the same rows back.

    Loading it runs thousands of inserts through the ORM; restoring a snapshot is one SQLite
    backup or one PostgreSQL COPY per table. The rows, ids and sequences are the same as a
    fresh load, so tests see no difference.
    """

    counts: dict | None = None
    sqlite_copy: sqlite3.Connection | None = None
    pg_tables: list[tuple[str, list[str], list]] | None = None

    @classmethod
    async def load(cls, engine) -> dict:
        from server.demo import load_demo

        if cls.counts is not None:
            await cls._restore(engine)
            return dict(cls.counts)
        counts = await load_demo()
        await cls._take(engine)
        cls.counts = counts
        return dict(counts)

    @classmethod
    async def _take(cls, engine) -> None:
        if isinstance(engine, PostgresEngine):
            connection = await _pg_connect(engine)
            try:
                cls.pg_tables = []
                for table in all_tables():
                    name = table._meta.tablename
                    rows = await connection.fetch(f'SELECT * FROM "{name}"')
                    columns = list(rows[0].keys()) if rows else []
                    cls.pg_tables.append((name, columns, [tuple(row) for row in rows]))
            finally:
                await connection.close()
            return
        live = sqlite3.connect(engine.path, timeout=30)
        cls.sqlite_copy = sqlite3.connect(":memory:", check_same_thread=False)  # e2e fixtures restore from another thread
        try:
            live.backup(cls.sqlite_copy)
        finally:
            live.close()

    @classmethod
    async def _restore(cls, engine) -> None:
        if isinstance(engine, PostgresEngine):
            connection = await _pg_connect(engine)
            try:
                async with connection.transaction():
                    await connection.execute("SET LOCAL session_replication_role = replica")  # no FK checks while copying
                    for name, columns, rows in cls.pg_tables or []:
                        if rows:
                            await connection.copy_records_to_table(name, records=rows, columns=columns)
                    serials = await connection.fetch(
                        "SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = 'public' AND column_default LIKE 'nextval%'"
                    )
                    for serial in serials:
                        table, column = serial["table_name"], serial["column_name"]
                        await connection.execute(
                            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
                            f"COALESCE((SELECT MAX(\"{column}\") FROM \"{table}\"), 1), "
                            f"(SELECT MAX(\"{column}\") FROM \"{table}\") IS NOT NULL)"
                        )
            finally:
                await connection.close()
            return
        live = sqlite3.connect(engine.path, timeout=30)
        try:
            cls.sqlite_copy.backup(live)
        finally:
            live.close()


async def _pg_connect(engine):
    import asyncpg

    return await asyncpg.connect(engine.config["dsn"])
