"""Everything a supervisor needs on one page to decide a case, read within their scope."""

from __future__ import annotations

from datetime import datetime

from server import clock
from server.accounts.current import CurrentUser
from server.audit.tables import AuditEvent
from server.errors import AppError
from server.evidence.tables import Evidence
from server.households.tables import Household, Person
from server.procedures import services as procedures
from server.procedures.rules import case_deadlines
from server.procedures.workdays import load_calendar
from server.review.decisions import decisions_of_case, last_publicity_start, load_case
from server.review.tasks import tasks_of_case
from server.sync_api import resolution
from server.sync_api.conflict_words import CONFLICT_CHOICES, CONFLICT_FIELDS, CONFLICT_KINDS, CONFLICT_VALUE_WORDS, conflict_answers
from server.uploads.tables import Blob
from server.visits.services import visits_of_case
from sync.conflicts import as_record as conflict_record
from sync.tables import SyncConflict

HISTORY_LIMIT = 200


def content_url(evidence_id, what: str = "content") -> str:
    """Where server.evidence serves an item's bytes (with Range support) or thumbnail; each view audited there."""
    return f"/api/evidence/{evidence_id}/{what}"


async def evidence_of_case(case_id, returned_at=None) -> list[dict]:
    """The case's evidence, each with whether the server verified its SHA-256 (a stored blob) and
    whether it arrived after the case was first returned for more (`returned_at`)."""
    rows = await Evidence.select().where(Evidence.case == case_id).order_by(Evidence.captured_at)
    hashes = [r["sha256"] for r in rows]
    verified = {b["sha256"] for b in await Blob.select(Blob.sha256).where(Blob.sha256.is_in(hashes))} if hashes else set()
    for row in rows:
        row["verified"] = row["sha256"] in verified
        row["supplied"] = returned_at is not None and row["attached_at"] > returned_at
        row["url"] = content_url(row["id"])
        row["thumbnail"] = content_url(row["id"], "thumbnail")
    return rows


# What the conflict panel and the history call a conflict's kinds, fields, choices and codes: the
# one table (server.sync_api.conflict_words), which every field page hands to the phone too.
CONFLICT_LABELS = {"CONFLICT_KINDS": CONFLICT_KINDS, "CONFLICT_FIELDS": CONFLICT_FIELDS, "CONFLICT_CHOICES": CONFLICT_CHOICES,
                   "CONFLICT_VALUE_WORDS": CONFLICT_VALUE_WORDS, "conflict_answers": conflict_answers,
                   "CONFLICT_ACTIONS": (resolution.ACTION, resolution.FORMER_ACTION)}


async def open_conflicts(case: dict) -> list[dict]:
    rows = await SyncConflict.select().where(
        SyncConflict.record_id.is_in([str(case["id"]), str(case["household"])]) & (SyncConflict.status == "open")
    ).output(load_json=True)
    return [conflict_record(r) for r in rows]


async def history(case: dict) -> list[dict]:
    """The audit trail of the case, newest first: its own events and the resolutions of the
    conflicts over it, its finances or its household (both event names, see server.sync_api.resolution)."""
    own = (AuditEvent.target_type == "case") & (AuditEvent.target_id == str(case["id"]))
    conflict_ids = await resolution.conflict_ids_of_case(case["id"], case["household"])
    if conflict_ids:
        own |= ((AuditEvent.target_type == resolution.TARGET) & AuditEvent.target_id.is_in(conflict_ids)
                & AuditEvent.action.is_in([resolution.ACTION, resolution.FORMER_ACTION]))
    return await AuditEvent.select(AuditEvent.at, AuditEvent.actor_name, AuditEvent.action, AuditEvent.detail).where(own).order_by(
        AuditEvent.id, ascending=False).limit(HISTORY_LIMIT).output(load_json=True)


async def eligibility_of(user: CurrentUser, case_id) -> tuple[dict | None, str]:
    """The computation from the casework engine, or the reason it cannot be computed."""
    from server.eligibility.services import eligibility

    try:
        return await eligibility(user, case_id), ""
    except AppError as error:
        return None, error.reason


async def finances_of(case_id) -> tuple[dict, int]:
    from server.finances.services import finances_data

    return await finances_data(case_id)


async def deadlines(case: dict, visits: list[dict], decisions: list[dict], rules: dict) -> list[dict]:
    """The statutory deadlines, counted from the day the street accepted the case (none before)."""
    if case["accepted_at"] is None:
        return []
    calendar = await load_calendar()
    final = [d for d in decisions if d["step"] == "final"]
    preliminary = [d for d in decisions if d["step"] == "preliminary"]
    return case_deadlines(
        case_type=case["type"],
        accepted_on=clock.local_date(case["accepted_at"]),
        calendar=calendar,
        today=clock.today(),
        delegated=rules["delegated"],
        emergency=rules["procedure"] == "emergency",
        first_visit_on=min((clock.local_date(v["visited_at"]) for v in visits), default=None),
        preliminary_on=clock.local_date(preliminary[-1]["decided_at"]) if preliminary else None,
        publicity_from=await last_publicity_start(case["id"]),
        decided_on=clock.local_date(final[0]["decided_at"]) if final else None,
    )


async def case_page(user: CurrentUser, case_id) -> dict:
    """The case, household, members, finances, eligibility, visits, evidence, history, conflicts."""
    case = await load_case(user, case_id)
    household = await Household.select(Household.all_columns(), Household.area.name.as_alias("community")).where(
        Household.id == case["household"]
    ).first()
    members = await Person.select().where(Person.household == case["household"]).order_by(Person.position)
    visits = await visits_of_case(user, case["id"])
    decisions = await decisions_of_case(user, case["id"])
    rules = await procedures.procedure_in_force(case["area_path"])
    finances, finances_version = await finances_of(case["id"])
    result, eligibility_error = await eligibility_of(user, case["id"])
    tasks = await tasks_of_case(user, case["id"])
    returned_at = min((datetime.fromisoformat(t["created_at"]) for t in tasks), default=None)
    return {
        "case": case,
        "household": household,
        "members": members,
        "finances": finances,
        "finances_version": finances_version,
        "eligibility": result,
        "eligibility_error": eligibility_error,
        "visits": visits,
        "evidence": await evidence_of_case(case["id"], returned_at),
        "decisions": decisions,
        "tasks": tasks,
        "history": await history(case),
        "conflicts": await open_conflicts(case),
        "rules": rules,
        "deadlines": await deadlines(case, visits, decisions, rules),
    }
