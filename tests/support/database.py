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


class LoopPools:
    """Stands for the engine's pool in the tests on PostgreSQL: a real asyncpg pool in each event
    loop that runs the suite's queries, and a new connection per query, as without a pool, in any
    other loop (sync e2e tests query through fresh loops in helper threads).

    The loops with a pool: the suite's own (async tests and their fixtures) and that of each
    in-process app (Litestar's test client runs the app in a portal thread of its own; `share_with`,
    from tests.support.clients). The app starts no pool itself (the engine plugin sets
    DOORSTEP_DB_POOL_SIZE=0); when it shuts down it closes the engine's pool, which closes its
    loop's pool, and clears it: the next test puts this back (`install`). Without it every query
    connects anew: about 80 connections a test, at 3-6 ms each (a process forked by PostgreSQL);
    with it, about 7."""

    current: LoopPools | None = None

    def __init__(self, engine: PostgresEngine, size: int) -> None:
        self.config = dict(engine.config)
        self.size = size
        self.suite_loop = asyncio.get_running_loop()
        self.pools: dict = {self.suite_loop: None}
        self.lent: dict = {}  # id of a pooled connection -> its pool

    @classmethod
    async def install(cls, engine, size: int = 10) -> None:
        """Make this the engine's pool (10 connections a loop at most: the server's default size)."""
        if not isinstance(engine, PostgresEngine):
            return
        if cls.current is None:
            cls.current = cls(engine, size)
        engine.pool = cls.current

    @classmethod
    def share_with(cls, loop) -> None:
        """A pool for an in-process app's loop too, while the engine uses this."""
        from server.db import get_engine

        if cls.current is not None and get_engine().pool is cls.current:
            cls.current.pools.setdefault(loop, None)

    @classmethod
    def forget(cls, loop) -> None:
        """After an app's loop has ended: drop its pool if the app did not close it."""
        pool = cls.current.pools.pop(loop, None) if cls.current is not None else None
        if pool is not None:
            pool.terminate()

    @classmethod
    async def close_for_good(cls, engine) -> None:
        if cls.current is not None:
            for loop, pool in list(cls.current.pools.items()):
                if pool is not None and loop is cls.current.suite_loop:
                    await pool.close()
                elif pool is not None:
                    pool.terminate()
        cls.current = None
        if isinstance(engine, PostgresEngine):
            engine.pool = None

    def __bool__(self) -> bool:
        return True

    def acquire(self) -> _Acquisition:
        return _Acquisition(self)

    async def connection(self):
        import asyncpg

        loop = asyncio.get_running_loop()
        if loop not in self.pools:
            return await asyncpg.connect(**self.config)
        pool = self.pools[loop]
        if pool is None:
            pool = self.pools[loop] = await asyncpg.create_pool(**self.config, min_size=1, max_size=self.size)
        connection = await pool.acquire()
        self.lent[id(connection)] = pool
        return connection

    async def release(self, connection) -> None:
        pool = self.lent.pop(id(connection), None)
        if pool is not None:
            await pool.release(connection)
        else:
            await connection.close()

    async def close(self) -> None:
        """An in-process app shutting down: its loop's pool goes; the suite's stays for the next test."""
        loop = asyncio.get_running_loop()
        if loop is not self.suite_loop:
            pool = self.pools.pop(loop, None)
            if pool is not None:
                await pool.close()


class _Acquisition:
    """`await pool.acquire()` and `async with pool.acquire() as connection`, as asyncpg's."""

    def __init__(self, pools: LoopPools) -> None:
        self.pools = pools
        self.acquired = None

    def __await__(self):
        return self.pools.connection().__await__()

    async def __aenter__(self):
        self.acquired = await self.pools.connection()
        return self.acquired

    async def __aexit__(self, *exc_info) -> None:
        await self.pools.release(self.acquired)


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
