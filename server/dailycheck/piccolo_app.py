from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.dailycheck.tables import DailyCheck

APP_CONFIG = AppConfig(
    app_name="dailycheck",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[DailyCheck],
    migration_dependencies=["server.households.piccolo_app", "server.accounts.piccolo_app"],
    commands=[],
)
