"""The engine's clock (the server has its own in server/clock.py; `sync` imports nothing of it)."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> datetime:
    return datetime.now(timezone.utc)
