"""The one way tests talk to the app in-process: Litestar's AsyncTestClient on the demo origin."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.support.database import LoopPools

ORIGIN = "http://localhost:8000"


@contextlib.asynccontextmanager
async def app_client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    """A client of `app`, with its start-up and shut-down run (a test may build a second app to "restart")."""
    loop = None
    try:
        async with AsyncTestClient(app, base_url=ORIGIN) as client:
            loop = client.blocking_portal.call(asyncio.get_running_loop)  # the app runs in the client's portal
            LoopPools.share_with(loop)
            yield client
    finally:
        LoopPools.forget(loop)
