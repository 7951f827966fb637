from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.accounts.tables import AuthSession, Invitation, Passkey, User, WebAuthnChallenge

APP_CONFIG = AppConfig(
    app_name="accounts",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[User, Invitation, Passkey, WebAuthnChallenge, AuthSession],
    migration_dependencies=["server.areas.piccolo_app"],
    commands=[],
)
