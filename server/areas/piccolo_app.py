from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.areas.tables import Area

APP_CONFIG = AppConfig(
    app_name="areas",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Area],
    migration_dependencies=[],
    commands=[],
)
