from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.standards.tables import Standard

APP_CONFIG = AppConfig(
    app_name="standards",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Standard],
    migration_dependencies=["server.areas.piccolo_app", "server.accounts.piccolo_app"],
    commands=[],
)
