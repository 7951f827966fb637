from pathlib import Path

from piccolo.conf.apps import AppConfig

from sync.tables import SyncBackfill, SyncChange, SyncClient, SyncConflict, SyncEpoch, SyncFailure, SyncFieldStamp, SyncMutation

APP_CONFIG = AppConfig(
    app_name="sync",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SyncEpoch, SyncClient, SyncMutation, SyncChange, SyncFieldStamp, SyncConflict, SyncBackfill, SyncFailure],
    migration_dependencies=[],
    commands=[],
)
