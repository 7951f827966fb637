from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.procedures.tables import CalendarDay, DistrictProcedure, EmergencyPeriod

APP_CONFIG = AppConfig(
    app_name="procedures",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[CalendarDay, EmergencyPeriod, DistrictProcedure],
    migration_dependencies=["server.accounts.piccolo_app"],
    commands=[],
)
