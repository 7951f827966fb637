"""The queue sorts, filters by date and flags overdue cases by the acceptance date: its indexes,
and an acceptance time for the cases already past draft (their opening time, the best known).
Raw SQL (server/review/indexes.py) because the table belongs to the cases app.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

from server.review.indexes import create_indexes, drop_indexes

ID = "2026-11-29T05:51:38:121163"
VERSION = "1.38.0"
DESCRIPTION = "review queue index on the acceptance date"

INDEXES = {
    "review_case_status_accepted": "assistance_case (status, accepted_at, id)",
    "review_case_accepted": "assistance_case (accepted_at, id)",
}
# Nothing orders or filters cases by their opening time any more.
REPLACED = {
    "review_case_status_opened": "assistance_case (status, opened_at, id)",
    "review_case_opened": "assistance_case (opened_at, id)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="review", description=DESCRIPTION)

    async def accepted_when_opened_then_indexes():
        from server.review.tables import Decision

        await Decision._meta.db.run_ddl(
            "UPDATE assistance_case SET accepted_at = opened_at WHERE status <> 'draft' AND accepted_at IS NULL"
        )
        await create_indexes(INDEXES)
        await drop_indexes(REPLACED)

    async def back():
        await create_indexes(REPLACED)
        await drop_indexes(INDEXES)

    manager.add_raw(accepted_when_opened_then_indexes)
    manager.add_raw_backwards(back)
    return manager
