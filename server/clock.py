"""The one place that reads the time, so that tests can move it, and the bureau's calendar: its
time zone, today, the day of a moment, the instants a day starts and ends, the days that lead up to one, a
person's age on a day.

Days are counted as the bureau counts them: the local calendar day in China Standard Time, not
the server's system date (a server's clock is usually UTC, eight hours behind: from local
midnight until 08:00 its date is still the day before)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
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


def start_of(day: date) -> datetime:
    """The first instant of the bureau's `day` (the local midnight that starts it)."""
    return datetime.combine(day, time.min, tzinfo=LOCAL)


def end_of(day: date) -> datetime:
    """The first instant after the bureau's `day` (the local midnight that ends it)."""
    return start_of(day + timedelta(days=1))


def age_on(birth: date | None, day: date) -> int | None:
    """Completed years on `day`; None when the birth date is not known."""
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def last_days(day: date, count: int) -> list[date]:
    """`count` days ending with `day`, oldest first."""
    return [day - timedelta(days=count - 1 - i) for i in range(count)]
