"""Piccolo's configuration: SQLite under DOORSTEP_HOME by default, PostgreSQL when DATABASE_URL says so."""

from __future__ import annotations

from piccolo.conf.apps import AppRegistry
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine

from server.settings import get_settings

APPS = [
    "server.areas.piccolo_app",
    "server.accounts.piccolo_app",
    "server.households.piccolo_app",
    "server.cases.piccolo_app",
    "server.audit.piccolo_app",
    "server.uploads.piccolo_app",
    "server.evidence.piccolo_app",
    "sync.piccolo_app",
    "server.visits.piccolo_app",
    "server.standards.piccolo_app",
    "server.finances.piccolo_app",
    "server.eligibility.piccolo_app",
    "server.declarations.piccolo_app",
    "server.verification.piccolo_app",
    "server.referrals.piccolo_app",
    "server.watch.piccolo_app",
    "server.dailycheck.piccolo_app",
    "server.procedures.piccolo_app",
    "server.review.piccolo_app",
    "server.paperwork.piccolo_app",
]


def make_engine() -> SQLiteEngine | PostgresEngine:
    """The engine the settings ask for."""
    storage = get_settings().storage
    if storage.database_url:
        return PostgresEngine(config={"dsn": storage.database_url})
    storage.home.mkdir(parents=True, exist_ok=True)
    # A busy timeout so that concurrent writers wait instead of failing with "database is locked".
    return SQLiteEngine(path=str(storage.sqlite_path), timeout=30)


DB = make_engine()
APP_REGISTRY = AppRegistry(apps=APPS)
