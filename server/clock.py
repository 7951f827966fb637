"""The one place that reads the time, so that tests can move it, and the bureau's calendar.

Days are counted as the bureau counts them: the local calendar day in China Standard Time, not
the server's system date (a server's clock is usually UTC, eight hours behind: from local
midnight until 08:00 its date is still the day before)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return datetime.now(timezone.utc)


def today() -> date:
    """Today, as the bureau counts days."""
    return now().astimezone(LOCAL).date()


def local_date(at: datetime) -> date:
    """The bureau's calendar day of a moment."""
    return at.astimezone(LOCAL).date()
