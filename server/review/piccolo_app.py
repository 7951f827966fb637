from pathlib import Path

from piccolo.conf.apps import AppConfig

from server.review.tables import AnswerWait, Decision, Task

APP_CONFIG = AppConfig(
    app_name="review",
    migrations_folder_path=str(Path(__file__).parent / "piccolo_migrations"),
    table_classes=[Decision, Task, AnswerWait],
    migration_dependencies=["server.cases.piccolo_app"],
    commands=[],
)
