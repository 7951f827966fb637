"""PostgreSQL: a trigram index on household addresses, so that the queue's search by any part of
an address ("测试路77号") is an index scan rather than a read of every household. pg_trgm ships
with PostgreSQL and is a trusted extension (PostgreSQL 13+): the database owner may create it.
SQLite has no such index; there the search reads the addresses (see the README's benchmark).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T06:16:13:722578"
VERSION = "1.38.0"
DESCRIPTION = "trigram index on household addresses (PostgreSQL)"

INDEX = "review_household_address_trgm"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="review", description=DESCRIPTION)

    async def create_index():
        from server.review.tables import Decision

        db = Decision._meta.db
        if isinstance(db, PostgresEngine):
            await db.run_ddl("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            await db.run_ddl(f"CREATE INDEX IF NOT EXISTS {INDEX} ON household USING gin (address gin_trgm_ops)")

    async def drop_index():
        from server.review.tables import Decision

        await Decision._meta.db.run_ddl(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager
