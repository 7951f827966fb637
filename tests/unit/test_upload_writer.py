"""The partial-file writer: bytes land in order with their hashes, whatever the batches were,
and a batch that reached the file is announced even when no more bytes follow it."""

from __future__ import annotations

import hashlib
import os
import random

from server.uploads.writer import BATCH, SMALL_BATCH, PartialWriter


def _pieces(total: int, seed: int) -> list[bytes]:
    rng = random.Random(seed)
    pieces, left = [], total
    while left:
        size = min(left, rng.choice([1, 100, 65_536, 262_144, SMALL_BATCH + 7, BATCH + 3]))
        pieces.append(os.urandom(size))
        left -= size
    return pieces


async def test_written_bytes_and_hashes_follow_the_body_in_order(tmp_path):
    path = tmp_path / "upload.part"
    path.write_bytes(b"kept-head")
    pieces = _pieces(3 * BATCH + 12_345, seed=4)
    whole, chunk = hashlib.sha256(b"kept-head"), hashlib.sha1()
    announced: list[int] = []
    with open(path, "r+b", buffering=0) as handle:
        handle.seek(len(b"kept-head"))
        writer = PartialWriter(handle, [whole, chunk], on_written=announced.append)
        for piece in pieces:
            await writer.add(piece)
        assert await writer.drain() == sum(map(len, pieces))
    body = b"".join(pieces)
    assert path.read_bytes() == b"kept-head" + body
    assert whole.hexdigest() == hashlib.sha256(b"kept-head" + body).hexdigest()
    assert chunk.hexdigest() == hashlib.sha1(body).hexdigest()
    assert announced == sorted(announced) and announced[-1] == len(body)


async def test_a_batch_is_announced_without_waiting_for_more_bytes(tmp_path):
    announced: list[int] = []
    with open(tmp_path / "upload.part", "w+b", buffering=0) as handle:
        writer = PartialWriter(handle, [], on_written=announced.append)
        await writer.add(os.urandom(BATCH))  # a client that then stalls
        await writer.abandon()  # waits for the thread only; nothing is gathering
        assert announced == [BATCH]
        assert handle.seek(0, os.SEEK_END) == BATCH


async def test_abandon_writes_nothing_that_was_still_gathering(tmp_path):
    with open(tmp_path / "upload.part", "w+b", buffering=0) as handle:
        writer = PartialWriter(handle, [])
        await writer.add(b"x" * 1000)  # under SMALL_BATCH: still gathering
        await writer.abandon()
        assert writer.written == 0
        assert handle.seek(0, os.SEEK_END) == 0
