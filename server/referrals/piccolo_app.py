from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.referrals.tables import Organisation, Referral, ReferralEvent

APP_CONFIG = AppConfig(
    app_name="referrals",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Organisation, Referral, ReferralEvent],
    migration_dependencies=["server.cases.piccolo_app"],
    commands=[],
)
