from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.paperwork.tables import Obligation, PaperworkPdf, Signature

APP_CONFIG = AppConfig(
    app_name="paperwork",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Obligation, Signature, PaperworkPdf],
    migration_dependencies=["server.cases.piccolo_app", "server.evidence.piccolo_app", "server.households.piccolo_app"],
    commands=[],
)
