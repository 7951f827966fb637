"""The review queue: the cases in the user's scope, filtered, searched, sorted, keyset-paginated.

Pages are cut by the sort key and the case id ("keyset"), never by OFFSET, so that the 2,000th
page costs what the first one does; counts by status and type come from one grouped query.
"""

from __future__ import annotations

from datetime import date

from piccolo.columns.combination import Where
from piccolo.engine.postgres import PostgresEngine
from piccolo.query.functions.aggregate import Count
from piccolo.querystring import QueryString

from server import clock
from server.accounts.current import CurrentUser
from server.accounts.tables import User
from server.areas.scope import in_scope
from server.areas.tables import Area
from server.cases.tables import Case
from server.households.idnumber import mask
from server.households.tables import Person
from server.procedures import services as procedures
from server.procedures.rules import OPEN_STATUSES, overall_limit
from server.procedures.workdays import Calendar, load_calendar
from server.review.filters import _ID_LIKE, SORTS, TODO_STATUSES, Filters, decode_cursor, encode_cursor, parse_filters  # noqa: F401

def _open_conflict_cases() -> QueryString:
    """The ids of cases with an open sync conflict (on the case or on its household)."""
    from sync.tables import SyncConflict

    cast = "CAST(record_id AS uuid)" if isinstance(SyncConflict._meta.db, PostgresEngine) else "record_id"
    return QueryString(
        f"SELECT {cast} FROM sync_conflict WHERE status = 'open' AND kind = 'case' "
        f"UNION SELECT c.id FROM assistance_case c JOIN sync_conflict s ON s.kind = 'household' "
        f"AND s.status = 'open' AND s.record_id = CAST(c.household AS TEXT)"
    )


def overdue_condition(calendar: Calendar, today: date, delegated: list[str]) -> Where:
    """Open cases whose overall statutory limit, counted from acceptance, has passed (20 working
    days where delegated)."""
    cutoff = clock.start_of(calendar.earliest_on_time_start(today, overall_limit("dibao", False)))
    condition = Case.status.is_in(list(OPEN_STATUSES)) & (Case.accepted_at < cutoff)
    if delegated:
        for path in delegated:
            condition = condition & Case.area.path.not_like(f"{path}%")
        short = clock.start_of(calendar.earliest_on_time_start(today, overall_limit("dibao", True)))
        near = Case.status.is_in(list(OPEN_STATUSES)) & (Case.accepted_at < short)
        paths = Case.area.path.like(f"{delegated[0]}%")
        for path in delegated[1:]:
            paths = paths | Case.area.path.like(f"{path}%")
        condition = condition | (near & paths)
    return condition


def _after_prefix(value: str) -> str:
    """The first string that no longer starts with `value`."""
    return value[:-1] + chr(ord(value[-1]) + 1)


def _prefix(column, value: str) -> Where:
    """`column` starts with `value`, as a range that an index serves on both engines."""
    return (column >= value) & (column < _after_prefix(value))


# An ID-number search that finds at most this many people names their households in the query.
LISTED_HOUSEHOLDS = 1000


def _id_number_condition(q: str) -> Where:
    value = q.upper()
    return Person.id_number == value if len(value) == 18 else _prefix(Person.id_number, value)


async def households_by_id_number(q: str) -> list | None:
    """The households of the people an ID-number search finds, when there are few enough to
    list (the planner then starts from them rather than walking every case in sort order)."""
    if not _ID_LIKE.match(q):
        return None
    rows = await Person.select(Person.household).where(_id_number_condition(q)).limit(LISTED_HOUSEHOLDS + 1)
    return None if len(rows) > LISTED_HOUSEHOLDS else list({r["household"] for r in rows})


def _search(q: str, listed: list | None = None) -> Where:
    """ID numbers by prefix, names by prefix (both indexed), addresses by any part. `listed`:
    the households an ID-number search found, from households_by_id_number."""
    if listed is not None:
        return Case.household.is_in(listed) if listed else Case.id.is_null()
    if _ID_LIKE.match(q):
        return Case.household.is_in(Person.select(Person.household).where(_id_number_condition(q)))
    # One set of households (names by prefix, addresses by any part), then the household index
    # finds their cases. Two IN conditions joined by OR would make PostgreSQL walk every case in
    # sort order testing both; a UNION lets it start from the few households found.
    households = QueryString(
        "SELECT household FROM person WHERE name >= {} AND name < {} UNION SELECT id FROM household WHERE address LIKE {}",
        q, _after_prefix(q), f"%{q}%",
    )
    return Case.household.is_in(households)


def conditions(user: CurrentUser, f: Filters, calendar: Calendar, today: date, delegated: list[str], listed: list | None = None) -> Where:
    """Every filter except the status, the type and the cursor (`listed`: see _search)."""
    where = in_scope(user, Case.area) & (Case.status != "draft")
    if f.community:
        where = where & (Case.area.code == f.community)
    if f.worker:
        where = where & (Case.assigned_to == f.worker)
    if f.opened_from:
        where = where & (Case.accepted_at >= clock.start_of(f.opened_from))
    if f.opened_to:
        where = where & (Case.accepted_at < clock.end_of(f.opened_to))
    if f.conflicts:
        where = where & Case.id.is_in(_open_conflict_cases())
    if f.overdue:
        where = where & overdue_condition(calendar, today, delegated)
    if f.spot_check:
        from server.review.tables import Decision

        where = where & Case.id.is_in(Decision.select(Decision.case).where(Decision.spot_check == True))  # noqa: E712
    if f.q:
        where = where & _search(f.q, listed)
    return where


def _statuses(f: Filters) -> list[str] | None:
    """The statuses asked for, one query each (None: any status but draft, one query)."""
    if f.status == "todo":
        return list(TODO_STATUSES)
    if f.status:
        return [f.status]
    return list(OPEN_STATUSES) if f.overdue else None


async def counts(user: CurrentUser) -> dict:
    """Cases in scope by status and by type (drafts on devices are not the supervisor's yet).

    Grouped by (area, status, type) over the areas of the scope (the rule of in_scope: the area
    path starts with the user's), so that the (area, status, type) index answers it alone.
    """
    areas = Area.select(Area.id).where(Area.path.like(f"{user.area_path}%"))
    rows = await Case.select(Case.area, Case.status, Case.type, Count(alias="n")).where(
        Case.area.is_in(areas) & (Case.status != "draft")
    ).group_by(Case.area, Case.status, Case.type)
    by_status: dict[str, int] = {}
    by_type: dict[str, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_type[row["type"]] = by_type.get(row["type"], 0) + row["n"]
    return {"status": by_status, "type": by_type, "todo": sum(by_status.get(s, 0) for s in TODO_STATUSES), "total": sum(by_status.values())}


_ROW_COLUMNS = (
    Case.id,
    Case.type,
    Case.status,
    Case.procedure,
    Case.version,
    Case.opened_at,
    Case.accepted_at,
    Case.updated_at,
    Case.household,
    Case.assigned_to,
    Case.area.code.as_alias("community_code"),
    Case.area.name.as_alias("community"),
    Case.area.path.as_alias("area_path"),
    Case.household.address.as_alias("address"),
)


async def _ordered(where: Where, f: Filters, limit: int) -> list[dict]:
    """The first `limit` rows in sort order. For several statuses, one ordered scan of the
    (status, sort key, id) index per status, merged here: no engine sorts the whole scope."""
    column, ascending = SORTS[f.sort]
    statuses = _statuses(f)
    key = "accepted_at" if column is Case.accepted_at else "updated_at"
    found: list[dict] = []
    for status in statuses or [None]:
        condition = where if status is None else where & (Case.status == status)
        found += await Case.select(*_ROW_COLUMNS).where(condition).order_by(column, ascending=ascending).order_by(
            Case.id, ascending=ascending
        ).limit(limit)
    found.sort(key=lambda r: (r[key], str(r["id"])), reverse=not ascending)
    return found[:limit]


async def page(user: CurrentUser, f: Filters, *, with_counts: bool = True) -> dict:
    """One page of the queue: {"rows", "next_cursor", "counts"}."""
    async with Case._meta.db.transaction():  # one connection and one consistent view for the page
        calendar = await load_calendar()
        today = clock.today()
        delegated = await procedures.delegated_district_paths()
        listed = await households_by_id_number(f.q) if f.q else None
        where = conditions(user, f, calendar, today, delegated, listed)
        if f.type:
            where = where & (Case.type == f.type)
        column, ascending = SORTS[f.sort]
        if f.cursor:
            moment, last_id = decode_cursor(f.cursor)
            if ascending:
                where = where & ((column > moment) | ((column == moment) & (Case.id > last_id)))
            else:
                where = where & ((column < moment) | ((column == moment) & (Case.id < last_id)))
        rows = await _ordered(where, f, f.limit + 1)
        more = len(rows) > f.limit
        rows = rows[: f.limit]
        await _decorate(rows, calendar, today, delegated)
        sort_key = "accepted_at" if column is Case.accepted_at else "updated_at"
        next_cursor = encode_cursor(rows[-1][sort_key], rows[-1]["id"]) if more and rows else ""
        return {"rows": rows, "next_cursor": next_cursor, "counts": await counts(user) if with_counts else None}


async def applicants_of(household_ids: list) -> dict:
    """The applicant (relation `self`, else the first member) of each household: name and ID number."""
    if not household_ids:
        return {}
    people = await Person.select(Person.household, Person.name, Person.id_number, Person.relation).where(
        Person.household.is_in(list(household_ids))
    ).order_by(Person.position)
    found: dict = {}
    for person in people:
        if person["relation"] == "self" or person["household"] not in found:
            found[person["household"]] = person
    return found


async def _decorate(rows: list[dict], calendar: Calendar, today: date, delegated: list[str]) -> None:
    """Applicant name and masked ID number, worker name, conflicts and overdue flag of each row."""
    if not rows:
        return
    from sync.tables import SyncConflict

    households = list({r["household"] for r in rows})
    applicant = await applicants_of(households)
    workers = {r["id"]: r["display_name"] for r in await User.select(User.id, User.display_name).where(
        User.id.is_in(list({r["assigned_to"] for r in rows if r["assigned_to"]}) or [0])
    )}
    record_ids = [str(r["id"]) for r in rows] + [str(h) for h in households]
    conflicted = {c["record_id"] for c in await SyncConflict.select(SyncConflict.record_id).where(
        SyncConflict.record_id.is_in(record_ids) & (SyncConflict.status == "open")
    )}
    for row in rows:
        person = applicant.get(row["household"]) or {}
        row["applicant"] = person.get("name", "")
        row["id_number_masked"] = mask(person["id_number"]) if person.get("id_number") else ""
        row["worker"] = workers.get(row["assigned_to"], "")
        row["has_conflicts"] = str(row["id"]) in conflicted or str(row["household"]) in conflicted
        is_delegated = any(row["area_path"].startswith(p) for p in delegated)
        accepted = row["accepted_at"]
        due = calendar.add_workdays(clock.local_date(accepted), overall_limit(row["type"], is_delegated)) if accepted else None
        row["due_on"] = due
        row["overdue"] = due is not None and row["status"] in OPEN_STATUSES and today > due


async def workers_in_scope(user: CurrentUser) -> list[dict]:
    """The grid workers a case may be assigned to."""
    return await User.select(User.id, User.display_name, User.area.name.as_alias("community"), User.area.code.as_alias("community_code")).where(
        in_scope(user, User.area) & (User.role == "grid_worker") & (User.active == True)  # noqa: E712
    ).order_by(User.display_name)
