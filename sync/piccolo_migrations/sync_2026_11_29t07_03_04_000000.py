"""Unique indexes of the back-fill markers and the failed-attempt counters (after their tables exist)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.finder import engine_finder

ID = "2026-11-29T07:03:04:000000"
VERSION = "1.38.0"
DESCRIPTION = "sync: unique (kind, epoch) back-fill markers and (client, mutation) failure counters"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS sync_backfill_kind_epoch ON sync_backfill (kind, epoch)",
    "CREATE UNIQUE INDEX IF NOT EXISTS sync_failure_client_mutation ON sync_failure (client_id, mutation_id)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sync", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
