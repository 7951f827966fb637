"""Working days: weekends, holidays and make-up workdays from the calendar data."""

from __future__ import annotations

from datetime import date

from server.procedures.rules import case_deadlines
from server.procedures.workdays import Calendar, calendar_of, read_rows

SHIPPED = calendar_of(read_rows())


def test_add_workdays_skips_weekend():
    plain = Calendar()
    assert plain.add_workdays(date(2026, 3, 6), 1) == date(2026, 3, 9)  # Friday → Monday
    assert plain.add_workdays(date(2026, 3, 2), 10) == date(2026, 3, 16)


def test_add_workdays_skips_national_day_holiday_and_counts_makeup_saturday():
    # Accepted on Wed 2026-09-30: Oct 1–7 are holidays, Sat Oct 10 is a make-up workday.
    assert SHIPPED.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert SHIPPED.add_workdays(date(2026, 9, 30), 3) == date(2026, 10, 10)
    assert SHIPPED.is_workday(date(2026, 9, 20))  # Sunday, make-up workday
    assert not SHIPPED.is_workday(date(2026, 2, 18))  # Spring Festival


def test_workdays_between_matches_add_workdays():
    start = date(2026, 1, 30)
    due = SHIPPED.add_workdays(start, 30)
    assert SHIPPED.workdays_between(start, due) == 30


def test_earliest_on_time_start_marks_exactly_the_overdue_starts():
    today = date(2026, 10, 20)
    cutoff = SHIPPED.earliest_on_time_start(today, 10)
    assert SHIPPED.add_workdays(cutoff, 10) >= today
    assert SHIPPED.add_workdays(date.fromordinal(cutoff.toordinal() - 1), 10) < today


def test_case_deadlines_flag_overdue_investigation_and_overall():
    lines = case_deadlines(case_type="dibao", accepted_on=date(2026, 3, 2), calendar=Calendar(), today=date(2026, 4, 30))
    by_step = {line["step"]: line for line in lines}
    assert by_step["investigation_start"]["due_on"] == date(2026, 3, 5) and by_step["investigation_start"]["overdue"]
    assert by_step["overall"]["due_on"] == date(2026, 4, 13) and by_step["overall"]["overdue"]


def test_case_deadlines_delegated_and_tekun_limits():
    delegated = case_deadlines(case_type="dibao", accepted_on=date(2026, 3, 2), calendar=Calendar(), today=date(2026, 3, 3), delegated=True)
    assert {l["step"]: l["due_on"] for l in delegated}["overall"] == date(2026, 3, 30)
    tekun = case_deadlines(case_type="tekun", accepted_on=date(2026, 3, 2), calendar=Calendar(), today=date(2026, 3, 3),
                           publicity_from=date(2026, 3, 10))
    steps = {l["step"]: l for l in tekun}
    assert steps["preliminary"]["due_on"] == date(2026, 3, 23)
    assert steps["publicity"]["due_on"] == date(2026, 3, 17)
    assert steps["decision"]["due_on"] == date(2026, 4, 7)  # 15 working days after the 公示 ends
    assert not any(l["overdue"] for l in tekun)


def test_emergency_case_has_no_publicity_step():
    lines = case_deadlines(case_type="dibao", accepted_on=date(2026, 3, 2), calendar=Calendar(), today=date(2026, 3, 3),
                           emergency=True, publicity_from=date(2026, 3, 4))
    assert "publicity" not in {l["step"] for l in lines}
