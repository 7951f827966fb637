from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.evidence.tables import Evidence

APP_CONFIG = AppConfig(
    app_name="evidence",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Evidence],
    migration_dependencies=["server.cases.piccolo_app", "server.uploads.piccolo_app"],
    commands=[],
)
