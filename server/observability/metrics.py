"""Doorstep's own Prometheus counters (request metrics come from Litestar's middleware).

With several worker processes, `doorstep serve` points PROMETHEUS_MULTIPROC_DIR at a folder
in DOORSTEP_HOME before the workers start, so /metrics adds up every process.
"""

from __future__ import annotations

from prometheus_client import Counter

SYNC_MUTATIONS = Counter(
    "doorstep_sync_mutations_total",
    "Mutations received by /api/sync/push, by outcome",
    ["status"],  # applied | duplicate | conflict | rejected | retry
)
UPLOADS = Counter(
    "doorstep_uploads_total",
    "tus uploads by outcome",
    ["outcome"],  # created | completed | refused | terminated | expired
)
UPLOAD_BYTES = Counter("doorstep_upload_bytes_total", "Bytes received by tus PATCH requests")


def count_mutation(status: str, amount: int = 1) -> None:
    SYNC_MUTATIONS.labels(status=status).inc(amount)


def count_upload(outcome: str) -> None:
    UPLOADS.labels(outcome=outcome).inc()


def count_upload_bytes(size: int) -> None:
    UPLOAD_BYTES.inc(size)
