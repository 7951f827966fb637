from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.uploads.tables import Blob, Upload

APP_CONFIG = AppConfig(
    app_name="uploads",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Upload, Blob],
    migration_dependencies=["server.accounts.piccolo_app"],
    commands=[],
)
