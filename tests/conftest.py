"""Shared fixtures. The engine is chosen by a plugin: `-p tests.engines.sqlite` or `.postgres`."""

from __future__ import annotations

import logging
import os

if "DOORSTEP_TEST_ENGINE" not in os.environ:  # plain `pytest`: SQLite
    import tests.engines.sqlite  # noqa: F401

import pytest

import server  # noqa: F401
from server.db import get_engine, migrate
from tests.support import database
from tests.support.clients import app_client

ENGINE = os.environ["DOORSTEP_TEST_ENGINE"]
logging.getLogger("httpx").setLevel(logging.WARNING)


def pytest_collection_modifyitems(config, items):
    """Engine-specific tests run on their engine and are reported as deselected on the other."""
    other = "sqlite_only" if ENGINE == "postgres" else "postgres_only"
    keep, drop = [], []
    for item in items:
        (drop if item.get_closest_marker(other) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header(config):
    return f"doorstep engine: {ENGINE}"


@pytest.fixture(scope="session", autouse=True)
async def migrated():
    await migrate()
    yield
    await database.LoopPools.close_for_good(get_engine())


@pytest.fixture(autouse=True)
async def clean_database(migrated):
    """Every test starts from empty tables (and on PostgreSQL with the suite's pool, see LoopPools)."""
    engine = get_engine()
    await database.truncate_all(engine)
    await database.LoopPools.install(engine)
    yield


@pytest.fixture
async def demo(clean_database):
    return await database.DemoSnapshot.load(get_engine())


@pytest.fixture(scope="session")
async def shared_app():
    """Building the app (hundreds of handlers and their signature models) takes seconds: once a run."""
    from server.app import create_app

    application = create_app()
    return application, dict(application.state)


@pytest.fixture
async def app(shared_app):
    """The app with its state as it was when built (e.g. fresh sign-in rate-limit counters)."""
    application, initial_state = shared_app
    for key in [key for key in application.state.keys() if key not in initial_state]:
        del application.state[key]
    return application


@pytest.fixture
async def client(app):
    async with app_client(app) as test_client:
        yield test_client
