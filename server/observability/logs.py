"""One JSON line per request on the `doorstep.access` logger: what, who, how long, how it ended."""

from __future__ import annotations

import json
import logging
import time

from litestar.types import ASGIApp, Message, Receive, Scope, Send

access_log = logging.getLogger("doorstep.access")


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = getattr(record, "entry", None)
        if entry is None:
            entry = {"level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def configure_access_log() -> None:
    """Send access lines to stderr as JSON, once per process."""
    if access_log.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLineFormatter())
    access_log.addHandler(handler)
    access_log.setLevel(logging.INFO)
    access_log.propagate = False


class AccessLogMiddleware:
    """Logs method, route (its template, not the ids in it), status, bytes, duration and user id.

    Query strings are left out on purpose: they may carry search terms such as ID numbers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        outcome = {"status": 500, "bytes": 0}

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
            elif message["type"] == "http.response.body":
                outcome["bytes"] += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            user = scope.get("user")
            route = scope.get("path_template") or scope["path"]
            access_log.info(
                "request",
                extra={
                    "entry": {
                        "at": round(time.time(), 3),
                        "method": scope["method"],
                        "route": route,
                        "status": outcome["status"],
                        "bytes": outcome["bytes"],
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                        "user": getattr(user, "id", None),
                    }
                },
            )
