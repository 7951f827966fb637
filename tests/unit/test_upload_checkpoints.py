"""The stored offset during a long upload: it follows the bytes every CHECKPOINT, but a fast link
does not pay a database write per CHECKPOINT (one per CHECKPOINT_SECONDS at most), and a
checkpoint that came too soon is still taken when it is due, even if no more bytes arrive."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from server.uploads import offsets
from server.uploads.offsets import CHECKPOINT, CHECKPOINT_SECONDS, Checkpoints


@pytest.fixture
def stores(monkeypatch) -> list[tuple[float, int]]:
    """Each database write of the offset: (when, new offset), instead of writing it."""
    written: list[tuple[float, int]] = []

    async def store_offset(upload_id, expected, new):
        written.append((time.monotonic(), new))

    monkeypatch.setattr(offsets, "store_offset", store_offset)
    return written


async def test_a_fast_link_writes_the_offset_at_most_once_per_interval(stores):
    checkpoints = Checkpoints(uuid.uuid4(), 0)
    started = time.monotonic()
    position = 0
    while time.monotonic() - started < 4 * CHECKPOINT_SECONDS:  # a checkpoint's worth of bytes every 10 ms
        position += CHECKPOINT
        checkpoints.reached(position)
        await asyncio.sleep(0.01)
    await checkpoints.finish(position)
    elapsed = time.monotonic() - started

    times = [moment for moment, _ in stores]
    assert 2 <= len(stores) <= elapsed / CHECKPOINT_SECONDS + 1  # one per interval at most, and the end
    gaps = [later - earlier for earlier, later in zip(times[:-2], times[1:-1])]
    assert all(gap >= CHECKPOINT_SECONDS * 0.95 for gap in gaps), gaps
    offsets_written = [new for _, new in stores]
    assert offsets_written == sorted(offsets_written) and offsets_written[-1] == position
    assert checkpoints.stored == position


async def test_a_checkpoint_that_came_too_soon_is_taken_when_due_without_more_bytes(stores):
    started = time.monotonic()
    checkpoints = Checkpoints(uuid.uuid4(), 0)
    checkpoints.reached(2 * CHECKPOINT + 5)  # within the first interval; then the client stalls
    await asyncio.sleep(CHECKPOINT_SECONDS / 2)
    assert stores == []
    await asyncio.sleep(CHECKPOINT_SECONDS)
    assert [new for _, new in stores] == [2 * CHECKPOINT + 5]
    assert stores[0][0] - started >= CHECKPOINT_SECONDS * 0.95
    await checkpoints.finish(2 * CHECKPOINT + 5)
    assert len(stores) == 1  # nothing left to write at the end


async def test_less_than_a_checkpoint_is_not_written_before_the_end(stores):
    checkpoints = Checkpoints(uuid.uuid4(), 100)
    checkpoints.reached(100 + CHECKPOINT - 1)
    await asyncio.sleep(CHECKPOINT_SECONDS * 1.5)
    assert stores == []
    await checkpoints.finish(100 + CHECKPOINT - 1)
    assert [new for _, new in stores] == [100 + CHECKPOINT - 1]
