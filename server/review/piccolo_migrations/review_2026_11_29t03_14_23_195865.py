"""Indexes for the review queue at 100,000 cases: ordered scans per status, counts, name search.

Raw SQL because the indexed tables belong to other apps; `IF NOT EXISTS` is understood by both
SQLite and PostgreSQL.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager

ID = "2026-11-29T03:14:23:195865"
VERSION = "1.38.0"
DESCRIPTION = "review queue indexes"

INDEXES = {
    "review_case_status_opened": "assistance_case (status, opened_at, id)",
    "review_case_status_updated": "assistance_case (status, updated_at, id)",
    "review_case_opened": "assistance_case (opened_at, id)",
    "review_case_updated": "assistance_case (updated_at, id)",
    "review_case_area_status_type": "assistance_case (area, status, type)",
    "review_person_name": "person (name)",
}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="review", description=DESCRIPTION)

    async def create_indexes():
        from server.review.tables import Decision

        for name, target in INDEXES.items():
            await Decision._meta.db.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {target}")

    async def drop_indexes():
        from server.review.tables import Decision

        for name in INDEXES:
            await Decision._meta.db.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_indexes)
    manager.add_raw_backwards(drop_indexes)
    return manager
