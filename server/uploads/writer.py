"""Appending a request body to a partial file without stalling the event loop.

The body arrives in pieces of up to 1 MiB. The event loop copies them into a page-aligned
buffer. A full buffer is handed over to lanes, each a thread of this writer's own that works
through its queue in order: one lane writes buffers to the file, one feeds them to each running
hash (a request with a checksum keeps two); file writes and hashlib release the GIL. A lane goes
from one buffer to the next by itself, without a round trip through the event loop in between:
the hash is the step that bounds an upload's rate (SHA-256 of one stream runs on one core, at
1-2 GB/s on the machines measured, README "Evidence upload (tus)"), so its lane must never wait
for the loop to get round to it. Meanwhile the event loop fills the next buffer. Up to DEPTH
buffers are in hand at once, so neither the disk nor the hash waits for the other, or for the
network, until the upload is done; they run side by side on the cores. A buffer is also handed
over once SMALL_BATCH bytes are in it and nothing is in the lanes (a slow phone's bytes do not
wait in memory). Memory stays at DEPTH buffers whatever the upload's size, and bytes not yet
handed over stay under BATCH.

Direct I/O. Where the file system allows it, buffers go to the file with O_DIRECT: the disk
takes the bytes straight from the buffer, without a copy into the page cache and a writeback
afterwards, which together cost about as much CPU as receiving the bytes (README, "Evidence
upload (tus)"), and the fsync that makes a finished file durable has almost nothing left to do.
Direct writes cover whole BLOCKs at block-aligned places, so the writer starts at the block that
holds the offset (that block's first bytes are read back from the file), and the last partial
block of each buffer is carried to the start of the next one. What is left when the request ends,
less than a block, goes through the page cache. Where O_DIRECT is refused (tmpfs, some network
file systems), every write goes through the page cache, and its writeback is started at once.
"""

from __future__ import annotations

import asyncio
import collections
import errno
import mmap
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

BLOCK = 4096
BATCH = 4 * 1024 * 1024
SMALL_BATCH = 1024 * 1024
DEPTH = 4


def open_direct(path: str) -> int | None:
    """A second descriptor of the file for direct writes, or None where O_DIRECT is refused."""
    flag = getattr(os, "O_DIRECT", 0)
    if not flag:
        return None
    try:
        return os.open(path, os.O_WRONLY | flag)
    except OSError as exc:
        if exc.errno == errno.EINVAL:
            return None
        raise


def _pwrite_all(descriptor: int, data: memoryview, position: int) -> None:
    while data:
        written = os.pwrite(descriptor, data, position)
        data, position = data[written:], position + written


def _start_writeback(descriptor: int, start: int, length: int) -> None:
    """Ask the kernel to write this range out now (Linux starts writeback on DONTNEED; pages
    still dirty stay cached). A hint only: where it is missing the final fsync does it all."""
    if hasattr(os, "posix_fadvise"):
        os.posix_fadvise(descriptor, start, length, os.POSIX_FADV_DONTNEED)


class _Buffer:
    """Page-aligned memory; its first `carried` bytes were hashed with the buffer before."""

    def __init__(self) -> None:
        self.memory = mmap.mmap(-1, BATCH + BLOCK)
        self.filled = 0
        self.carried = 0

    def start_with(self, data) -> None:
        self.memory[: len(data)] = data
        self.filled = self.carried = len(data)


def _hash(hasher, buffer: _Buffer, start: int, end: int) -> None:
    with memoryview(buffer.memory) as memory, memory[start:end] as new:
        hasher.update(new)


class _Lane:
    """One thread doing jobs in the order given, back to back. Once a job failed, the jobs
    behind it are not done: each ends with the same error."""

    def __init__(self, name: str) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._failure: BaseException | None = None

    def run(self, job: Callable[..., None], *args) -> asyncio.Future:
        return asyncio.get_running_loop().run_in_executor(self._thread, self._do, job, args)

    def _do(self, job: Callable[..., None], args: tuple) -> None:
        if self._failure is not None:
            raise self._failure
        try:
            job(*args)
        except BaseException as exc:
            self._failure = exc
            raise

    def close(self) -> None:
        self._thread.shutdown(wait=False)


class PartialWriter:
    """Writes from the position of an open, unbuffered file; `written` bytes have reached it.

    `on_written(written)` is called on the event loop each time a buffer has reached the file,
    even when no more bytes arrive after it (a stalled client still gets its checkpoint).
    `close()` releases the buffers once the writer is done with."""

    def __init__(self, handle, hashers: list, on_written: Callable[[int], None] | None = None) -> None:
        self._handle = handle
        self._start = handle.tell()
        self._direct = open_direct(handle.name)
        self._hashers = hashers
        self._on_written = on_written
        self._buffers = [_Buffer()]
        self._free: list[_Buffer] = []
        self._filling = self._buffers[0]
        # each buffer handed over, with the future of its write and hashes
        self._in_hand: collections.deque[tuple[_Buffer, asyncio.Future]] = collections.deque()
        self._lanes: list[_Lane] = []  # started with the first buffer handed over: writes, then one per hash
        head = self._start % self._block_size()
        self._position = self._start - head  # where the filling buffer's first byte belongs
        if head:
            self._filling.start_with(os.pread(handle.fileno(), head, self._position))
        self._tail_written = self._filling.filled
        self.written = 0

    @property
    def direct(self) -> bool:
        return self._direct is not None

    async def add(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            buffer = self._filling
            room = BATCH - (buffer.filled - buffer.carried)
            piece, view = view[:room], view[room:]
            buffer.memory[buffer.filled : buffer.filled + len(piece)] = piece
            buffer.filled += len(piece)
            new = buffer.filled - buffer.carried
            if new >= BATCH or (new >= SMALL_BATCH and self._idle()):
                await self._hand_over()

    async def drain(self) -> int:
        """Write everything added so far; returns the bytes written by this writer."""
        if self._filling.filled > self._filling.carried:
            await self._hand_over()
        await self._wait()
        buffer = self._filling
        if buffer.filled > self._tail_written:  # less than a block, through the page cache
            await asyncio.to_thread(self._write_tail, buffer, self._position)
            self._tail_written = buffer.filled
            self.written = max(self.written, self._position + buffer.filled - self._start)
            if self._on_written is not None:
                self._on_written(self.written)
        return self.written

    async def abandon(self) -> None:
        """Write nothing more, and let the buffers already handed over end (each is then wholly
        counted in `written` or not at all) so the file can be cut back and closed safely."""
        self._filling.filled = self._filling.carried
        try:
            await self._wait()
        except OSError:
            pass

    def close(self) -> None:
        """Release the lanes, the direct descriptor and the buffers (after `drain` or `abandon`)."""
        for lane in self._lanes:
            lane.close()
        if self._direct is not None:
            os.close(self._direct)
            self._direct = None
        for buffer in self._buffers:
            try:
                buffer.memory.close()
            except BufferError:
                pass  # a failed write's traceback still views it: freed with the last view

    def _block_size(self) -> int:
        return BLOCK if self._direct is not None else 1

    def _idle(self) -> bool:
        return all(done.done() for _, done in self._in_hand)

    async def _hand_over(self) -> None:
        """The filling buffer goes to the queues up to its last whole block; the rest starts the
        next buffer, which the loop fills meanwhile."""
        batch = self._filling
        carried, end = batch.carried, batch.filled
        whole = end - end % self._block_size()
        self._filling = await self._next_buffer()
        self._filling.start_with(batch.memory[whole:end])
        position, self._position = self._position, self._position + whole
        self._tail_written = 0
        if not self._lanes:
            self._lanes = [_Lane("upload-write"), *(_Lane("upload-hash") for _ in self._hashers)]
        writes, *hashes = self._lanes
        written = writes.run(self._write_blocks, batch, whole, position)
        if self._on_written is not None:
            written.add_done_callback(self._announce)
        hashed = [lane.run(_hash, hasher, batch, carried, end) for lane, hasher in zip(hashes, self._hashers)]
        self._in_hand.append((batch, asyncio.gather(written, *hashed)))

    def _announce(self, write: asyncio.Future) -> None:
        if not write.cancelled() and write.exception() is None:
            self._on_written(self.written)

    async def _next_buffer(self) -> _Buffer:
        """A buffer to fill: a free one, a new one while there are fewer than DEPTH, or the
        oldest one handed over once its write and hashes are done."""
        if self._free:
            return self._free.pop()
        if len(self._buffers) < DEPTH:
            self._buffers.append(_Buffer())
            return self._buffers[-1]
        buffer, done = self._in_hand.popleft()
        await asyncio.shield(done)  # a cancelled request still waits for the threads
        return buffer

    async def _wait(self) -> None:
        """Until every buffer handed over is written and hashed; the first failure is raised."""
        failure = None
        while self._in_hand:
            buffer, done = self._in_hand.popleft()
            try:
                await asyncio.shield(done)
            except Exception as exc:  # noqa: BLE001 - raised below, once all have ended
                failure = failure or exc
            self._free.append(buffer)
        if failure is not None:
            raise failure

    def _write_blocks(self, batch: _Buffer, length: int, position: int) -> None:
        with memoryview(batch.memory) as memory, memory[:length] as blocks:
            if self._direct is not None:
                try:
                    _pwrite_all(self._direct, blocks, position)
                except OSError as exc:
                    if exc.errno != errno.EINVAL:
                        raise
                    self._stop_direct()  # refused for this file after all: the page cache from now on
                else:
                    self.written = max(self.written, position + length - self._start)
                    return
            _pwrite_all(self._handle.fileno(), blocks, position)
            _start_writeback(self._handle.fileno(), position, length)
        self.written = max(self.written, position + length - self._start)

    def _write_tail(self, buffer: _Buffer, position: int) -> None:
        with memoryview(buffer.memory) as memory, memory[: buffer.filled] as tail:
            _pwrite_all(self._handle.fileno(), tail, position)

    def _stop_direct(self) -> None:
        os.close(self._direct)
        self._direct = None
