"""Days as the bureau counts them: the local calendar day (China Standard Time, server/clock.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from server.clock import LOCAL


def end_of(day: date) -> datetime:
    """The first instant after `day` (local midnight that ends it)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=LOCAL)


def last_days(day: date, count: int) -> list[date]:
    """`count` days ending with `day`, oldest first."""
    return [day - timedelta(days=count - 1 - i) for i in range(count)]


def age_on(birth: date | None, day: date) -> int | None:
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))
