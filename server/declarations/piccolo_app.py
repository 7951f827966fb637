from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.declarations.tables import Declaration

APP_CONFIG = AppConfig(
    app_name="declarations",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Declaration],
    migration_dependencies=["server.cases.piccolo_app"],
    commands=[],
)
