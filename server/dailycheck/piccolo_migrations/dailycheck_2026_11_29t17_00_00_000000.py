"""Each daily check filed under its own day again. Until this release a new check was stored
with the server's system date (the column's default) instead of the day the worker checked: a
check of yesterday sent today was filed under today, and from local midnight until 08:00 (the
server's clock in UTC still on the day before) every check was filed under the previous day. The
day the check was for was kept all along in `day_key` ("<person id>:<YYYY-MM-DD>", the rule of one
check per person and day), so the date is taken back from there. Nothing to undo.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine.postgres import PostgresEngine

ID = "2026-11-29T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "daily checks: check_date from day_key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="dailycheck", description=DESCRIPTION)

    async def file_under_own_day():
        from server.dailycheck.tables import DailyCheck

        db = DailyCheck._meta.db
        day = "CAST(substr(day_key, length(day_key) - 9, 10) AS DATE)" if isinstance(db, PostgresEngine) else "substr(day_key, length(day_key) - 9, 10)"
        await db.run_ddl(f"UPDATE daily_check SET check_date = {day} WHERE check_date <> {day}")

    manager.add_raw(file_under_own_day)
    return manager
