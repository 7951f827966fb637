"""A server process and its descendants (Granian's workers), read from /proc: what the benchmarks
measure of a running `doorstep serve`. Linux only; the walk itself is the tests' (tests/support/processes.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.processes import process_tree  # noqa: E402 - the repository is on the path above


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process and its descendants (all their threads)."""
    ticks = 0
    for member in process_tree(pid):
        fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def scheduler_seconds(pid: int) -> tuple[float, float]:
    """(on a CPU, runnable but waiting for a CPU) of the threads of the process and its
    descendants, from /proc/<pid>/task/*/schedstat."""
    running = waiting = 0.0
    for member in process_tree(pid):
        try:
            tasks = list(Path(f"/proc/{member}/task").iterdir())
            for task in tasks:
                on_cpu, on_queue = (int(v) / 1e9 for v in (task / "schedstat").read_text().split()[:2])
                running, waiting = running + on_cpu, waiting + on_queue
        except OSError:
            continue
    return running, waiting


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of the process and its descendants, added up, in bytes."""
    fields = {"VmRSS": 0, "VmHWM": 0}
    for member in process_tree(pid):
        for line in Path(f"/proc/{member}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in fields:
                fields[key] += int(value.split()[0]) * 1024
    return fields


def kill_tree(process: subprocess.Popen) -> None:
    """SIGKILL the process and its descendants: a Granian worker outlives its supervisor's SIGKILL
    unless it asked the kernel otherwise, as only `doorstep serve`'s workers do."""
    for member in reversed(process_tree(process.pid)):
        try:
            os.kill(member, signal.SIGKILL)
        except ProcessLookupError:
            pass
    process.wait()
