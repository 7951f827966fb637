"""Composite unique indexes the column definitions cannot express, and the server's first epoch."""

import uuid
from datetime import datetime, timezone

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns import Timestamptz, Varchar
from piccolo.engine.finder import engine_finder
from piccolo.table import Table

ID = "2026-11-29T02:35:54:460877"
VERSION = "1.38.0"
DESCRIPTION = "sync: unique indexes, first epoch"

INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS sync_mutation_client_mutation ON sync_mutation (client_id, mutation_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS sync_change_record_area ON sync_change (kind, record_id, area_path)",
    "CREATE UNIQUE INDEX IF NOT EXISTS sync_field_stamp_record_field ON sync_field_stamp (kind, record_id, field)",
]


class SyncEpoch(Table, tablename="sync_epoch"):
    epoch = Varchar(length=32, unique=True)
    started_at = Timestamptz()
    reason = Varchar(length=100, default="")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sync", description=DESCRIPTION)

    async def run():
        engine = engine_finder()
        for statement in INDEXES:
            await engine.run_ddl(statement)
        if not await SyncEpoch.exists():
            await SyncEpoch.insert(
                SyncEpoch(epoch=uuid.uuid4().hex, started_at=datetime.now(timezone.utc), reason="first migrate")
            )

    manager.add_raw(run)
    return manager
