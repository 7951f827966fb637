"""A process and its descendants (a server's workers), read from /proc. Linux only.

The tests (tests/support/serve.py) and the benchmarks (bench/processes.py) both walk a running
`doorstep serve` this way; this module has no dependency outside the standard library so the
benchmarks can import it without the test tools."""

from __future__ import annotations

from pathlib import Path


def process_tree(pid: int) -> list[int]:
    """The process and its descendants; a process that ended meanwhile is left out."""
    tree = [pid]
    for member in tree:
        try:
            tree += [int(child) for child in Path(f"/proc/{member}/task/{member}/children").read_text().split()]
        except OSError:
            continue
    return tree
