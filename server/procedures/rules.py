"""The steps and statutory deadlines of the normal procedure, computed per case (pure functions).

Numbers follow 《最低生活保障审核确认办法》 and 《特困人员认定办法》; they are kept here as one
table so that a province's variant is a change of data, not of the code that uses it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from server.i18n import N_
from server.procedures.workdays import Calendar

# Statuses in which a case waits for someone (deadlines run); the others are settled.
OPEN_STATUSES = ("submitted", "investigating", "returned", "publicizing")
PUBLICITY_DAYS = 7  # calendar days in the community


@dataclass(frozen=True)
class Limits:
    investigation_start: int = 3  # working days after acceptance
    preliminary: int | None = None  # street's preliminary review (特困: 15)
    decision: int = 10  # working days after the file reaches the district
    overall: int = 30  # overall limit
    overall_delegated: int = 20  # where the decision is delegated to the street


LIMITS = {
    "dibao": Limits(),
    "tekun": Limits(preliminary=15, decision=15),
    "temporary": Limits(),
    "extension": Limits(),
    "referral": Limits(),
}

STEP_LABELS = {
    "investigation_start": N_("启动调查"),
    "preliminary": N_("镇街初审"),
    "publicity": N_("公示"),
    "decision": N_("审批决定"),
    "overall": N_("办理总时限"),
}


def overall_limit(case_type: str, delegated: bool) -> int:
    limits = LIMITS.get(case_type, Limits())
    return limits.overall_delegated if delegated else limits.overall


def case_deadlines(
    *,
    case_type: str,
    accepted_on: date,
    calendar: Calendar,
    today: date,
    delegated: bool = False,
    emergency: bool = False,
    first_visit_on: date | None = None,
    preliminary_on: date | None = None,
    publicity_from: date | None = None,
    decided_on: date | None = None,
) -> list[dict]:
    """The deadlines of one case: step, starts, due, met (date or None), overdue."""
    limits = LIMITS.get(case_type, Limits())
    steps: list[tuple[str, date, date, date | None]] = [
        ("investigation_start", accepted_on, calendar.add_workdays(accepted_on, limits.investigation_start), first_visit_on or decided_on),
    ]
    if limits.preliminary:
        steps.append(("preliminary", accepted_on, calendar.add_workdays(accepted_on, limits.preliminary), preliminary_on or decided_on))
    if publicity_from and not emergency:
        publicity_end = publicity_from + timedelta(days=PUBLICITY_DAYS)
        steps.append(("publicity", publicity_from, publicity_end, publicity_end if today >= publicity_end else None))
        steps.append(("decision", publicity_end, calendar.add_workdays(publicity_end, limits.decision), decided_on))
    steps.append(("overall", accepted_on, calendar.add_workdays(accepted_on, overall_limit(case_type, delegated)), decided_on))
    return [
        {
            "step": step,
            "label": STEP_LABELS[step],
            "starts_on": starts,
            "due_on": due,
            "met_on": met,
            "overdue": (met is None and today > due and step != "publicity") or (met is not None and met > due),
            "open": met is None,
        }
        for step, starts, due, met in steps
    ]


def publicity_over(publicity_from: date | None, today: date) -> bool:
    return publicity_from is not None and today >= publicity_from + timedelta(days=PUBLICITY_DAYS)
