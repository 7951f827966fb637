from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.verification.tables import VerificationRequest

APP_CONFIG = AppConfig(
    app_name="verification",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[VerificationRequest],
    migration_dependencies=["server.cases.piccolo_app"],
    commands=[],
)
