from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.eligibility.tables import EligibilitySnapshot

APP_CONFIG = AppConfig(
    app_name="eligibility",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[EligibilitySnapshot],
    migration_dependencies=["server.cases.piccolo_app"],
    commands=[],
)
