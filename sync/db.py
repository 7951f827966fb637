"""Short write transactions that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from piccolo.engine.base import Engine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType


def write_transaction(db: Engine):
    """A transaction that takes the write lock at once on SQLite (BEGIN IMMEDIATE).

    A deferred SQLite transaction that reads first and writes later fails with "database is
    locked" when another writer got in between; taking the lock up front makes it wait instead.
    """
    if isinstance(db, SQLiteEngine):
        return db.transaction(transaction_type=TransactionType.immediate)
    return db.transaction()
