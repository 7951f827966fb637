from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.finances.tables import CaseFinances, FinanceRevision

APP_CONFIG = AppConfig(
    app_name="finances",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[CaseFinances, FinanceRevision],
    migration_dependencies=["server.cases.piccolo_app"],
    commands=[],
)
