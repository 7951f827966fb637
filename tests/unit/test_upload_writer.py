"""The partial-file writer: bytes land in order with their hashes, whatever the batches were and
wherever the request starts, with direct I/O and through the page cache; a batch that reached
the file is announced even when no more bytes follow it."""

from __future__ import annotations

import errno
import hashlib
import os
import random
import time

import pytest

from server.uploads import writer as writer_module
from server.uploads.writer import BATCH, BLOCK, DEPTH, SMALL_BATCH, PartialWriter


def _require_direct_io(folder) -> None:
    probe = folder / "probe"
    probe.touch()
    descriptor = writer_module.open_direct(str(probe))
    if descriptor is None:
        pytest.fail("the test directory's file system refuses O_DIRECT: the direct path would go untested")
    os.close(descriptor)


@pytest.fixture(params=["direct", "page cache"])
def io_mode(request, monkeypatch, tmp_path) -> str:
    """Each test once with O_DIRECT (where this file system allows it) and once without."""
    if request.param == "page cache":
        monkeypatch.setattr(writer_module, "open_direct", lambda path: None)
    else:
        _require_direct_io(tmp_path)
    return request.param


def _pieces(total: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    pieces, left = [], total
    while left:
        size = min(left, rng.choice([1, 100, 65_536, 262_144, SMALL_BATCH + 7, BATCH + 3]))
        pieces.append(os.urandom(size))
        left -= size
    return pieces


@pytest.mark.parametrize("head_size", [0, 9, BLOCK, BLOCK + 1, 3 * BLOCK - 1])
async def test_written_bytes_and_hashes_follow_the_body_in_order(tmp_path, io_mode, head_size):
    path = tmp_path / "upload.part"
    head = os.urandom(head_size)  # an earlier request's bytes, not always a whole block
    path.write_bytes(head)
    pieces = _pieces(3 * BATCH + 12_345, seed=head_size)
    whole, chunk = hashlib.sha256(head), hashlib.sha1()
    announced: list[int] = []
    with open(path, "r+b", buffering=0) as handle:
        handle.seek(head_size)
        writer = PartialWriter(handle, [whole, chunk], on_written=announced.append)
        assert writer.direct == (io_mode == "direct")
        for piece in pieces:
            await writer.add(piece)
        assert await writer.drain() == sum(map(len, pieces))
        assert writer.direct == (io_mode == "direct")  # every direct write was whole aligned blocks
        writer.close()
    body = b"".join(pieces)
    assert path.read_bytes() == head + body
    assert whole.hexdigest() == hashlib.sha256(head + body).hexdigest()
    assert chunk.hexdigest() == hashlib.sha1(body).hexdigest()
    assert announced == sorted(announced) and announced[-1] == len(body)


async def test_requests_that_each_end_inside_a_block_make_the_whole_file(tmp_path, io_mode):
    """A phone's upload in many requests of odd sizes, each starting where the last one ended."""
    path = tmp_path / "upload.part"
    path.touch()
    whole, body = hashlib.sha256(), b""
    for size in [1, BLOCK - 2, 5, SMALL_BATCH + 3, 2 * BLOCK, BATCH + BLOCK + 17, 700]:
        data = os.urandom(size)
        with open(path, "r+b", buffering=0) as handle:
            handle.seek(len(body))
            writer = PartialWriter(handle, [whole])
            await writer.add(data)
            assert await writer.drain() == size
            assert writer.direct == (io_mode == "direct")
            writer.close()
        body += data
        assert path.read_bytes() == body
    assert whole.hexdigest() == hashlib.sha256(body).hexdigest()


async def test_a_file_system_that_refuses_a_direct_write_gets_it_through_the_page_cache(tmp_path, monkeypatch):
    _require_direct_io(tmp_path)
    real_pwrite = os.pwrite
    refused = []

    def pwrite(descriptor, data, position):
        if descriptor == writer._direct and not refused:
            refused.append(position)
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_pwrite(descriptor, data, position)

    monkeypatch.setattr(writer_module.os, "pwrite", pwrite)
    data = os.urandom(2 * BATCH + 123)
    with open(tmp_path / "upload.part", "w+b", buffering=0) as handle:
        writer = PartialWriter(handle, [])
        assert writer.direct
        await writer.add(data)
        assert await writer.drain() == len(data)
        assert refused == [0] and not writer.direct
        writer.close()
    assert (tmp_path / "upload.part").read_bytes() == data


async def test_a_batch_is_announced_without_waiting_for_more_bytes(tmp_path, io_mode):
    announced: list[int] = []
    with open(tmp_path / "upload.part", "w+b", buffering=0) as handle:
        writer = PartialWriter(handle, [], on_written=announced.append)
        await writer.add(os.urandom(BATCH))  # a client that then stalls
        await writer.abandon()  # waits for the thread only; nothing is gathering
        assert announced == [BATCH]
        assert handle.seek(0, os.SEEK_END) == BATCH
        writer.close()


async def test_abandon_writes_nothing_that_was_still_gathering(tmp_path, io_mode):
    with open(tmp_path / "upload.part", "w+b", buffering=0) as handle:
        writer = PartialWriter(handle, [])
        await writer.add(b"x" * 1000)  # under SMALL_BATCH: still gathering
        await writer.abandon()
        assert writer.written == 0
        assert handle.seek(0, os.SEEK_END) == 0
        writer.close()


async def test_a_slow_disk_holds_the_body_back_at_depth_buffers(tmp_path, io_mode, monkeypatch):
    """Memory stays bounded whatever the upload's size: the loop waits for the disk once DEPTH
    buffers are in hand, and the order of the bytes is kept."""
    real_write = PartialWriter._write_blocks

    def slow_write(self, batch, length, position):
        time.sleep(0.02)
        real_write(self, batch, length, position)

    monkeypatch.setattr(PartialWriter, "_write_blocks", slow_write)
    data = os.urandom(3 * DEPTH * BATCH + 5)
    whole = hashlib.sha256()
    with open(tmp_path / "upload.part", "w+b", buffering=0) as handle:
        writer = PartialWriter(handle, [whole])
        most_in_hand = 0
        for start in range(0, len(data), 1024 * 1024):
            await writer.add(data[start : start + 1024 * 1024])
            most_in_hand = max(most_in_hand, len(writer._in_hand))
        assert await writer.drain() == len(data)
        assert len(writer._buffers) == DEPTH and most_in_hand <= DEPTH - 1
        writer.close()
    assert (tmp_path / "upload.part").read_bytes() == data
    assert whole.hexdigest() == hashlib.sha256(data).hexdigest()


async def test_nothing_is_written_after_a_failed_write_and_the_failure_is_raised(tmp_path, io_mode, monkeypatch):
    real_pwrite = os.pwrite
    writes: list[int] = []

    def pwrite(descriptor, data, position):
        writes.append(position)
        if len(writes) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_pwrite(descriptor, data, position)

    monkeypatch.setattr(writer_module.os, "pwrite", pwrite)
    announced: list[int] = []
    with open(tmp_path / "upload.part", "w+b", buffering=0) as handle:
        writer = PartialWriter(handle, [hashlib.sha256()], on_written=announced.append)
        with pytest.raises(OSError) as failure:
            for _ in range(3 * DEPTH):
                await writer.add(os.urandom(BATCH))
            await writer.drain()
        assert failure.value.errno == errno.ENOSPC
        await writer.abandon()
        writer.close()
    assert writes == [0, BATCH]  # the batches queued behind the failed one were not written
    assert writer.written == BATCH and announced == [BATCH]


class _SlowHash:
    """A running SHA-256 on a slow core (0.2 s a buffer) that notes when each update ended."""

    def __init__(self) -> None:
        self.inner = hashlib.sha256()
        self.ended: list[float] = []

    def update(self, data) -> None:
        time.sleep(0.2)
        self.inner.update(data)
        self.ended.append(time.monotonic())


async def test_the_hash_goes_from_buffer_to_buffer_while_the_event_loop_is_busy(tmp_path, io_mode):
    """The hash bounds an upload's rate, so its thread takes the next buffer handed over as soon
    as it is done with one, without waiting for the event loop (busy with other requests, or
    copying the next piece) to schedule it."""
    timed = _SlowHash()
    data = os.urandom((DEPTH - 1) * BATCH)
    with open(tmp_path / "upload.part", "w+b", buffering=0) as handle:
        writer = PartialWriter(handle, [timed])
        for start in range(0, len(data), BATCH):
            await writer.add(data[start : start + BATCH])  # each one handed over at once
        busy_from = time.monotonic()
        time.sleep(0.2 * DEPTH)  # the loop is busy: nothing it would have to schedule can run
        busy_until = time.monotonic()
        assert await writer.drain() == len(data)
        writer.close()
    assert timed.inner.hexdigest() == hashlib.sha256(data).hexdigest()
    assert len(timed.ended) == DEPTH - 1
    assert all(busy_from < ended < busy_until for ended in timed.ended), "a buffer waited for the event loop to be hashed"
