from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.watch.tables import WatchEntry

APP_CONFIG = AppConfig(
    app_name="watch",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[WatchEntry],
    migration_dependencies=["server.households.piccolo_app", "server.accounts.piccolo_app"],
    commands=[],
)
