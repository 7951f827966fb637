"""Appending a request body to a partial file without stalling the event loop.

The body arrives in pieces of a few hundred KiB. They are gathered into batches; one worker
thread writes a batch while another feeds it to the running hashes (file writes and hashlib both
release the GIL), and the event loop receives the next one meanwhile, so writing, hashing and
receiving spread over the cores.
A batch goes to the threads as soon as SMALL_BATCH bytes are gathered and they are free
(a slow phone's bytes do not wait in memory), or at BATCH bytes, when it waits for them.
At most one batch is in the threads and one is gathering: memory stays at about 2 × BATCH
whatever the upload's size, and bytes not yet handed to the threads stay under BATCH. Disk
writeback of each written batch is started at once, so the fsync that makes a finished file
durable has little left to wait for.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable

BATCH = 4 * 1024 * 1024
SMALL_BATCH = 1024 * 1024


def _write_all(handle, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[handle.write(view) :]


def _start_writeback(handle, start: int, length: int) -> None:
    """Ask the kernel to write this range out now (Linux starts writeback on DONTNEED; pages
    still dirty stay cached). A hint only: where it is missing the final fsync does it all."""
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(handle.fileno(), start, length, os.POSIX_FADV_DONTNEED)


class PartialWriter:
    """Writes at the position of an open, unbuffered file; `written` bytes have reached it.

    `on_written(written)` is called on the event loop each time a batch has reached the file,
    even when no more bytes arrive after it (a stalled client still gets its checkpoint)."""

    def __init__(self, handle, hashers: list, on_written: Callable[[int], None] | None = None) -> None:
        self._handle = handle
        self._position = handle.tell()
        self._hashers = hashers
        self._on_written = on_written
        self._gathering: list[bytes] = []
        self._gathered = 0
        self._in_thread: asyncio.Future | None = None
        self.written = 0

    async def add(self, data: bytes) -> None:
        self._gathering.append(data)
        self._gathered += len(data)
        if self._gathered >= BATCH or (self._gathered >= SMALL_BATCH and self._thread_idle()):
            await self._hand_over()

    async def drain(self) -> int:
        """Write everything added so far; returns the bytes written by this writer."""
        if self._gathering:
            await self._hand_over()
        await self._wait()
        return self.written

    async def abandon(self) -> None:
        """Write nothing more, and let a batch already in the thread end (it is then wholly
        counted in `written` or not at all) so the file can be cut back and closed safely."""
        self._gathering, self._gathered = [], 0
        try:
            await self._wait()
        except OSError:
            pass

    def _thread_idle(self) -> bool:
        return self._in_thread is None or self._in_thread.done()

    async def _hand_over(self) -> None:
        await self._wait()
        batch, size = self._gathering, self._gathered
        self._gathering, self._gathered = [], 0
        self._in_thread = asyncio.ensure_future(self._write_and_hash(batch, size))
        self._in_thread.add_done_callback(self._batch_done)

    async def _write_and_hash(self, batch: list[bytes], size: int) -> None:
        """Both at once, each in its own thread; ends when both have ended, with the first error."""
        loop = asyncio.get_running_loop()
        work = [loop.run_in_executor(None, self._write_batch, batch, size)]
        if self._hashers:
            work.append(loop.run_in_executor(None, self._hash_batch, batch))
        for outcome in await asyncio.gather(*work, return_exceptions=True):
            if isinstance(outcome, BaseException):
                raise outcome

    async def _wait(self) -> None:
        if self._in_thread is not None:
            in_thread = self._in_thread
            await asyncio.shield(in_thread)  # a cancelled request still waits for the thread
            self._in_thread = None

    def _batch_done(self, future: asyncio.Future) -> None:
        if self._on_written is not None and not future.cancelled() and future.exception() is None:
            self._on_written(self.written)

    def _hash_batch(self, batch: list[bytes]) -> None:
        for data in batch:
            for hasher in self._hashers:
                hasher.update(data)

    def _write_batch(self, batch: list[bytes], size: int) -> None:
        for data in batch:
            _write_all(self._handle, data)
        _start_writeback(self._handle, self._position, size)
        self._position += size
        self.written += size
