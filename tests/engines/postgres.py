"""pytest plugin (`-p tests.engines.postgres`): the suite on a fresh PostgreSQL database.

TEST_PG_URL names a server and a database to connect to (default: this machine's `test`);
the plugin creates a new database beside it for this run and drops it at the end. An
unreachable server fails the run: it is never a reason to skip.
"""

import asyncio
import atexit
import os
import tempfile
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg

_admin_url = os.environ.get("TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
_name = f"doorstep_test_{uuid.uuid4().hex[:10]}"


async def _admin(sql: str) -> None:
    connection = await asyncpg.connect(_admin_url, timeout=10)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


try:
    asyncio.run(_admin(f'CREATE DATABASE "{_name}"'))
except Exception as exc:  # noqa: BLE001
    raise SystemExit(f"PostgreSQL at {_admin_url} is not reachable ({exc}); the PostgreSQL suite cannot run") from exc


def _drop() -> None:
    try:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{_name}" WITH (FORCE)'))
    except Exception:  # noqa: BLE001 - best effort at exit
        pass


atexit.register(_drop)

parts = urlsplit(_admin_url)
os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{_name}", "", ""))
os.environ["DOORSTEP_HOME"] = tempfile.mkdtemp(prefix="doorstep-test-pg-")
os.environ["DOORSTEP_TEST_ENGINE"] = "postgres"
# The in-process app of the API tests starts no pool of its own (one pool would serve one event loop;
# the app runs in its test client's portal loop, the tests in theirs): tests.support.database.LoopPools
# stands for the engine's pool, one per loop.
# Servers that tests start as subprocesses inherit it too; they may set their own size.
os.environ["DOORSTEP_DB_POOL_SIZE"] = "0"
