"""Working days: Monday to Friday, except the holidays and make-up workdays of the calendar data.

Statutory deadlines count working days after the day an event happened: "within 10 working days
of receiving the file" ends on the 10th working day after the day it arrived.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, timedelta
from pathlib import Path

from server.procedures.tables import CalendarDay

DATA_FILE = Path(__file__).with_name("calendar_cn.csv")


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)

    def is_workday(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n >= 1); `start` itself is not counted."""
        if n < 1:
            return start
        day, counted = start, 0
        while counted < n:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def earliest_on_time_start(self, today: date, n: int) -> date:
        """The earliest start whose n-working-day deadline has not passed on `today`.

        A period that began before this day is overdue today (deadline < today); used to turn
        "overdue" into an indexed date comparison in the queue.
        """
        start = today
        while self.add_workdays(start - timedelta(days=1), n) >= today:
            start -= timedelta(days=1)
        return start


def read_rows(path: Path = DATA_FILE) -> list[dict]:
    """Rows of a calendar file: `date,workday,name` (workday 1 for a make-up workday, 0 for a holiday)."""
    with path.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(line for line in handle if not line.startswith("#"))]
    return [{"day": date.fromisoformat(r["date"].strip()), "workday": r["workday"].strip() == "1", "name": r["name"].strip()} for r in rows]


def calendar_of(rows: list[dict]) -> Calendar:
    return Calendar(
        holidays=frozenset(r["day"] for r in rows if not r["workday"]),
        makeup_workdays=frozenset(r["day"] for r in rows if r["workday"]),
    )


async def load_calendar() -> Calendar:
    """The calendar stored in the database; the shipped file while the database holds none."""
    rows = await CalendarDay.select(CalendarDay.day, CalendarDay.workday)
    return calendar_of(rows or _shipped())


@lru_cache(maxsize=1)
def _shipped() -> list[dict]:
    return read_rows()


async def import_rows(rows: list[dict]) -> int:
    """Store calendar rows, replacing any stored entry for the same day; answers how many."""
    for row in rows:
        await CalendarDay.delete().where(CalendarDay.day == row["day"])
        await CalendarDay.insert(CalendarDay(day=row["day"], workday=row["workday"], name=row["name"]))
    return len(rows)
