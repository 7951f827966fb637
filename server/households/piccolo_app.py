from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.households.tables import Household, Person

APP_CONFIG = AppConfig(
    app_name="households",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Household, Person],
    migration_dependencies=["server.accounts.piccolo_app"],
    commands=[],
)
