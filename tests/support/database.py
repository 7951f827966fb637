"""Emptying the database between tests, on either engine."""

from __future__ import annotations

from piccolo.conf.apps import Finder
from piccolo.engine.postgres import PostgresEngine


def all_tables():
    return Finder().get_table_classes()


async def truncate_all(engine) -> None:
    tables = [t._meta.tablename for t in all_tables()]
    if isinstance(engine, PostgresEngine):
        await engine.run_ddl(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return
    for table in reversed(tables):  # children before parents
        await engine.run_ddl(f"DELETE FROM {table}")
    has_sequences = await engine.run_ddl("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'")
    if has_sequences:
        await engine.run_ddl("DELETE FROM sqlite_sequence")
