"""The committed migrations create exactly the tables and columns the code declares, on this engine."""

from __future__ import annotations

from piccolo.engine.postgres import PostgresEngine

from server.db import get_engine
from tests.support.database import all_tables


async def database_columns(engine, table: str) -> set[str]:
    if isinstance(engine, PostgresEngine):
        rows = await engine.run_ddl(
            f"SELECT column_name AS name FROM information_schema.columns WHERE table_name = '{table}'"
        )
    else:
        rows = await engine.run_ddl(f"PRAGMA table_info({table})")
    return {row["name"] for row in rows}


async def test_migrations_create_every_declared_column():
    engine = get_engine()
    for table in all_tables():
        declared = {column._meta.db_column_name for column in table._meta.columns}
        actual = await database_columns(engine, table._meta.tablename)
        assert declared == actual, f"{table._meta.tablename}: run `piccolo migrations new <app> --auto`"
