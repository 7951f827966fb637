from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.visits.tables import Visit

APP_CONFIG = AppConfig(
    app_name="visits",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Visit],
    migration_dependencies=["server.cases.piccolo_app"],
    commands=[],
)
