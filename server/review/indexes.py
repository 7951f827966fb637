"""Indexes on other apps' tables, created by the review app's migrations with raw SQL
(`IF NOT EXISTS` is understood by both SQLite and PostgreSQL)."""

from __future__ import annotations


async def create_indexes(indexes: dict[str, str]) -> None:
    """Create each index `name: "table (columns)"` that does not exist yet."""
    from server.review.tables import Decision

    for name, target in indexes.items():
        await Decision._meta.db.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")


async def drop_indexes(indexes: dict[str, str]) -> None:
    from server.review.tables import Decision

    for name in indexes:
        await Decision._meta.db.run_ddl(f"DROP INDEX IF EXISTS {name}")
