"""Doorstep's own Prometheus counters (request metrics come from Litestar's middleware).

With several worker processes, `doorstep serve` points PROMETHEUS_MULTIPROC_DIR at a folder
of its own before the workers start (`share_between_processes`), so /metrics adds up every process.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from prometheus_client import Counter

SYNC_MUTATIONS = Counter(
    "doorstep_sync_mutations_total",
    "Mutations received by /api/sync/push, by outcome",
    ["status"],  # applied | duplicate | conflict | rejected | retry
)
UPLOADS = Counter(
    "doorstep_uploads_total",
    "tus uploads by outcome",
    ["outcome"],  # created | completed | refused | terminated | expired | unattached
)
UPLOAD_BYTES = Counter("doorstep_upload_bytes_total", "Bytes received by tus PATCH requests")


def count_mutation(status: str, amount: int = 1) -> None:
    SYNC_MUTATIONS.labels(status=status).inc(amount)


def count_upload(outcome: str) -> None:
    UPLOADS.labels(outcome=outcome).inc()


def count_upload_bytes(size: int) -> None:
    UPLOAD_BYTES.inc(size)


def multiprocess_folder(port: int) -> Path:
    """Where the worker processes of the server on `port` of this machine write their counters.

    On local disk, one folder per server: DOORSTEP_HOME may be shared by several machines, and
    a server starting there would wipe the live counters of the others."""
    return Path(tempfile.gettempdir()) / f"doorstep-metrics-{port}"


def share_between_processes(port: int) -> None:
    """prometheus_client's multiprocess mode, started empty (the counters restart with the server)."""
    folder = multiprocess_folder(port)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
