"""SIGKILL the server five times at random moments while three devices keep pushing and uploading;
restart it each time. Afterwards every mutation was applied exactly once and every file is whole."""

from __future__ import annotations

import asyncio
import random

from server.accounts.sessions import create_session
from server.accounts.tables import User
from server.db import get_engine
from server.settings import get_settings
from tests.faults.devices import DEMO_WORKERS, RetryingDevice, check_nothing_lost_or_doubled, summary
from tests.support.media import clean_media  # noqa: F401  (fixture)
from tests.support.serve import Server

KILLS = 5


async def signed_in_devices(url: str) -> list[RetryingDevice]:
    devices = []
    for seed, (username, community) in enumerate(DEMO_WORKERS):
        user = await User.select(User.id).where(User.username == username).first()
        devices.append(RetryingDevice(url, await create_session(user["id"]), community, seed))
    return devices


async def test_repeated_sigkill_during_push_and_upload_loses_and_doubles_nothing(demo):
    server = Server()
    await server.start()
    devices = await signed_in_devices(server.url)
    stop = asyncio.Event()
    syncing = [asyncio.create_task(device.run(stop)) for device in devices]
    rng = random.Random()
    try:
        for _ in range(KILLS):
            await asyncio.sleep(rng.uniform(0.5, 2.0))
            assert not any(task.done() for task in syncing), [task.exception() for task in syncing if task.done()]
            server.kill()
            await server.start()
        stop.set()
        await asyncio.wait_for(asyncio.gather(*syncing), timeout=120)
    finally:
        stop.set()
        server.stop()
        for task in syncing:
            task.cancel()

    assert sum(device.failures for device in devices) >= 1, "no request was ever cut by a kill"
    assert all(device.files for device in devices), "every device uploaded at least one file"
    await check_nothing_lost_or_doubled(get_engine(), get_settings().storage.media_dir, devices)
    print(f"\n{KILLS} kills; {summary(devices)}; nothing lost or doubled")
