"""The server's secret file: every process of an installation reads the same, complete secret."""

from __future__ import annotations

import multiprocessing
import os


def _secret_in(home: str, barrier, results) -> None:
    os.environ["DOORSTEP_HOME"] = home
    os.environ.pop("DOORSTEP_SECRET", None)
    from server.secrets import app_secret
    from server.settings import get_settings

    get_settings.cache_clear()
    app_secret.cache_clear()
    barrier.wait()
    results.put(app_secret())


def test_worker_processes_starting_together_on_a_new_home_share_one_secret(tmp_path):
    context = multiprocessing.get_context("fork")
    processes = 8
    barrier, results = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_secret_in, args=(str(tmp_path), barrier, results)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    secrets = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
    assert len(set(secrets)) == 1 and len(secrets[0]) >= 40
    assert (tmp_path / "secret.key").read_text() == secrets[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.key"]
