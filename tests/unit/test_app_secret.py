"""The server's secret file: every process of an installation reads the same, complete secret.

The window that matters is the moment a worker is generating the secret of a new home: another
worker starting then, or this one being killed then, must not leave or read an empty secret.
The tests open that window deterministically: the worker's secret generator is wrapped so that
the other worker starts (or this one dies) exactly while the secret is being made.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

_context = multiprocessing.get_context("fork")


def _worker(home: str, results, while_generating: Callable[[], None] | None = None):
    """A server process reading its secret on `home`; `while_generating` runs once, mid-generation."""

    def run() -> None:
        os.environ["DOORSTEP_HOME"] = home
        os.environ.pop("DOORSTEP_SECRET", None)
        import server.secrets as module
        from server.settings import get_settings

        get_settings.cache_clear()
        module.app_secret.cache_clear()
        if while_generating is not None:
            real, fired = module.secrets, []

            class Generator:
                @staticmethod
                def token_urlsafe(size: int) -> str:
                    if not fired:  # once, and not again in a process forked meanwhile
                        fired.append(True)
                        while_generating()
                    return real.token_urlsafe(size)

            module.secrets = Generator
        results.put(module.app_secret())

    return _context.Process(target=run)


def test_worker_starting_while_another_generates_the_secret_reads_the_same_complete_one(tmp_path):
    results = _context.Queue()

    def second_worker_starts_and_reads() -> None:
        second = _worker(str(tmp_path), results)
        second.start()
        second.join(timeout=30)

    first = _worker(str(tmp_path), results, while_generating=second_worker_starts_and_reads)
    first.start()
    secrets = [results.get(timeout=30) for _ in range(2)]
    first.join(timeout=30)
    assert len(secrets[0]) >= 40, "the worker that started second read an empty or short secret"
    assert secrets[0] == secrets[1]
    assert (tmp_path / "secret.key").read_text() == secrets[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret.key"]


def test_worker_killed_while_generating_the_secret_leaves_no_empty_one(tmp_path):
    results = _context.Queue()
    killed = _worker(str(tmp_path), results, while_generating=lambda: os._exit(1))
    killed.start()
    killed.join(timeout=30)
    assert killed.exitcode == 1
    later = _worker(str(tmp_path), results)
    later.start()
    secret = results.get(timeout=30)
    later.join(timeout=30)
    assert len(secret) >= 40, "the next start read the empty secret the killed worker left"
    assert (tmp_path / "secret.key").read_text() == secret
