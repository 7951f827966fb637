from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.cases.tables import Case

APP_CONFIG = AppConfig(
    app_name="cases",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Case],
    migration_dependencies=["server.households.piccolo_app"],
    commands=[],
)
