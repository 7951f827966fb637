"""Emptying the database between tests, on either engine."""

from __future__ import annotations

import sqlite3

from piccolo.conf.apps import Finder
from piccolo.engine.postgres import PostgresEngine


def all_tables():
    return Finder().get_table_classes()


async def truncate_all(engine) -> None:
    tables = [t._meta.tablename for t in all_tables()]
    if isinstance(engine, PostgresEngine):
        await engine.run_ddl(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
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
