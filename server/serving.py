"""How `doorstep serve` runs the app: Granian, a Rust HTTP server, with the ASGI interface.

Granian parses HTTP and moves request bodies in Rust, so an evidence upload reaches the tus
handler at several times the rate a Python HTTP server manages on the same cores (README,
"Evidence upload (tus)"). It always runs the app in worker processes under a supervisor; each
worker asks the kernel to kill it when the supervisor dies, so a supervisor killed outright
(SIGKILL, the OOM killer) never leaves a worker serving the port on its own.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal

from granian.constants import Interfaces
from granian.http import HTTP1Settings
from granian.log import LOGGING_CONFIG, LogLevels
from granian.server import Server
from granian.utils.proxies import wrap_asgi_with_proxy_headers

from server.settings import get_settings

_PR_SET_PDEATHSIG = 1
# Granian hands a request body to the app in pieces of up to this size (its default is 408 KiB).
# Larger pieces mean fewer wake-ups of the event loop per upload: a 1 GiB upload costs about 0.15 s
# less CPU (bench/upload_throughput.py). A connection holds at most this much unread body.
HTTP1_BUFFER = 1024 * 1024


def serve() -> None:
    """Run until stopped (Ctrl+C or SIGTERM stop it gracefully)."""
    settings = get_settings().server
    # Workers start as fresh interpreters, not forks of this one: nothing this process set up
    # (database connections, threads, metrics counters made before the multiprocess folder was
    # chosen) leaks into them.
    multiprocessing.set_start_method("spawn", force=True)
    Server(
        "server.serving:create_worker_app",
        factory=True,
        interface=Interfaces.ASGI,
        address=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=LogLevels.info,
        log_dictconfig=log_config(),
        log_access=False,  # server.observability.logs writes one JSON line per request instead
        http1_settings=HTTP1Settings(max_buffer_size=HTTP1_BUFFER),
    ).serve()


def create_worker_app():
    """The app as one worker process runs it, tied to the supervisor's life."""
    die_with_parent()
    from server.app import create_app

    return behind_proxies(create_app())


def behind_proxies(app):
    """The client address and scheme from X-Forwarded-For / X-Forwarded-Proto, believed only from
    the proxies in DOORSTEP_TRUSTED_PROXIES (the sign-in rate limit counts by client address)."""
    return wrap_asgi_with_proxy_headers(app, trusted_hosts=get_settings().server.trusted_proxies)


def die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent exits; a no-op elsewhere."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGKILL)


class HideBindAddress(logging.Filter):
    """Drops Granian's "Listening at: http://127.0.0.1:…" line: passkeys need the localhost origin
    `doorstep serve` prints, and an IP-address link would send people to a page where sign-in fails."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Listening at" not in record.getMessage()


def log_config() -> dict:
    config = {**LOGGING_CONFIG, "filters": {"hide_bind": {"()": HideBindAddress}}}
    config["handlers"] = {name: {**handler, "filters": ["hide_bind"]} for name, handler in LOGGING_CONFIG["handlers"].items()}
    return config
