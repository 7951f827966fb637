"""Database start-up: migrations, SQLite pragmas, the connection pool."""

from __future__ import annotations

import contextlib
import io

from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from server.settings import get_settings


def get_engine() -> SQLiteEngine | PostgresEngine:
    engine = engine_finder()
    if engine is None:  # pragma: no cover - server.piccolo_conf always defines DB
        raise RuntimeError("Piccolo found no database engine")
    return engine  # type: ignore[return-value]


async def prepare_sqlite(engine: SQLiteEngine) -> None:
    """WAL lets readers and one writer work at once; it is a property of the file, set once."""
    await engine.run_ddl("PRAGMA journal_mode=WAL")


async def migrate() -> None:
    """Apply every pending migration of every app; running it again changes nothing."""
    engine = get_engine()
    if isinstance(engine, SQLiteEngine):
        await prepare_sqlite(engine)
    # Piccolo narrates every step on stdout; keep it for when something goes wrong.
    narration = io.StringIO()
    with contextlib.redirect_stdout(narration):
        result = await run_forwards(app_name="all", fake=False)
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{narration.getvalue()}")


async def pending_migrations() -> int:
    """How many migrations have not been applied to this database."""
    from piccolo.apps.migrations.commands.check import CheckMigrationManager

    return await CheckMigrationManager(app_name="all").havent_ran_count()


async def ping() -> str:
    """Run a trivial query; the engine's name when the database answers."""
    engine = get_engine()
    await engine.run_ddl("SELECT 1")
    return engine.engine_type


async def start_pool() -> None:
    engine = get_engine()
    size = get_settings().storage.pool_size
    if isinstance(engine, PostgresEngine) and size > 0:
        # asyncpg opens 10 connections up front by default: a smaller pool opens them all
        await engine.start_connection_pool(min_size=min(size, 10), max_size=size)


async def close_pool() -> None:
    engine = get_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()
