from pathlib import Path

from piccolo.conf.apps import AppConfig

from sync.tables import SyncChange, SyncClient, SyncConflict, SyncEpoch, SyncFieldStamp, SyncMutation

APP_CONFIG = AppConfig(
    app_name="sync",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[SyncEpoch, SyncClient, SyncMutation, SyncChange, SyncFieldStamp, SyncConflict],
    migration_dependencies=[],
    commands=[],
)
