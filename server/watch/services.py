"""The watch roster: proposals from the households' data, additions and removals by supervisors,
and the roster as pages, dashboards and the phone (through the pull) see it."""

from __future__ import annotations

import uuid

from server.accounts.current import CurrentUser
from server.areas.scope import area_for_write, in_scope
from server.audit.services import record
from server.cases.tables import Case
from server.clock import age_on, now, today
from server.errors import Conflict, Invalid, NotFound
from server.households.tables import Person
from server.i18n import N_
from server.validation import rules
from server.watch.tables import WatchEntry
from sync import feed

KIND = "watch"
REASONS = {
    "tekun": N_("散居特困人员"),
    "elderly_alone": N_("独居老人"),
    "quarantine": N_("居家隔离"),
    "serious_illness": N_("重病患者"),
    "other": N_("其他"),
}
# Proposed from the households' data; "quarantine" and "other" only by a supervisor's hand.
ELDERLY_AGE = 60  # 老年人权益保障法: a person of 60 or more is elderly
TEKUN_LIVE = ("submitted", "investigating", "publicizing", "approved", "returned")

_PERSON = (
    WatchEntry.person.id.as_alias("person_id"),
    WatchEntry.person.name.as_alias("name"),
    WatchEntry.person.sex.as_alias("sex"),
    WatchEntry.person.birth_date.as_alias("birth_date"),
    WatchEntry.person.household.address.as_alias("address"),
    WatchEntry.person.household.contact_phone.as_alias("phone"),
    WatchEntry.person.household.area.code.as_alias("area_code"),
    WatchEntry.person.household.area.name.as_alias("area_name"),
    WatchEntry.person.household.area.path.as_alias("area_path"),
)


def reasons_of(raw: str) -> list[str]:
    return [r for r in raw.split(",") if r]


def clean_reasons(value) -> list[str]:
    """Reason codes from a list or a comma-separated string; at least one, each known."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    codes = [str(v).strip() for v in items if str(v).strip()]
    if not codes:
        raise Invalid(N_("请至少选择一项关注原因"), field="reasons")
    for code in codes:
        rules.choice(code, "reasons", tuple(REASONS), label="关注原因")
    return sorted(set(codes), key=list(REASONS).index)


def within(user: CurrentUser, column, area_path: str | None = None):
    """The user's scope, narrowed to an area inside it when one is given."""
    where = in_scope(user, column)
    if area_path:
        where &= column.path.like(f"{area_path}%")
    return where


async def roster(user: CurrentUser, area_path: str | None = None, *, ids: list | None = None) -> list[dict]:
    """The active entries in scope (optionally inside one area), community then name order."""
    where = (WatchEntry.active == True) & within(user, WatchEntry.person.household.area, area_path)  # noqa: E712
    if ids is not None:
        if not ids:
            return []
        where &= WatchEntry.id.is_in(ids)
    rows = await WatchEntry.select(
        WatchEntry.id, WatchEntry.reasons, WatchEntry.note, WatchEntry.added_at, WatchEntry.version, WatchEntry.updated_at,
        WatchEntry.added_by.display_name.as_alias("added_by_name"), *_PERSON,
    ).where(where)
    day = today()
    for row in rows:
        row["reasons"] = reasons_of(row["reasons"])
        row["age"] = age_on(row["birth_date"], day)
    rows.sort(key=lambda r: (r["area_code"], r["name"]))
    return rows


async def entries_between(area_path: str) -> list[dict]:
    """Every entry (active or removed) of the persons inside an area, for counting past days."""
    return await WatchEntry.select(
        WatchEntry.id, WatchEntry.reasons, WatchEntry.active, WatchEntry.added_at, WatchEntry.removed_at, *_PERSON
    ).where(WatchEntry.person.household.area.path.like(f"{area_path}%"))


async def proposals(user: CurrentUser, area_path: str | None = None) -> list[dict]:
    """Persons in scope whom the households' data suggest watching and who are not on the roster."""
    people = await Person.select(
        Person.id, Person.name, Person.sex, Person.birth_date, Person.relation, Person.serious_illness,
        Person.household.id.as_alias("household_id"),
        Person.household.address.as_alias("address"),
        Person.household.area.code.as_alias("area_code"),
        Person.household.area.name.as_alias("area_name"),
    ).where(within(user, Person.household.area, area_path))
    watched = {
        r["person"]
        for r in await WatchEntry.select(WatchEntry.person).where(
            (WatchEntry.active == True) & within(user, WatchEntry.person.household.area, area_path)  # noqa: E712
        )
    }
    tekun = {
        r["household"]
        for r in await Case.select(Case.household).where(
            (Case.type == "tekun") & Case.status.is_in(list(TEKUN_LIVE)) & within(user, Case.area, area_path)
        )
    }
    sizes: dict = {}
    for p in people:
        sizes[p["household_id"]] = sizes.get(p["household_id"], 0) + 1
    day = today()
    found = []
    for p in people:
        if p["id"] in watched:
            continue
        age = age_on(p["birth_date"], day)
        reasons = []
        if p["household_id"] in tekun and p["relation"] == "self":
            reasons.append("tekun")
        if sizes[p["household_id"]] == 1 and age is not None and age >= ELDERLY_AGE:
            reasons.append("elderly_alone")
        if p["serious_illness"]:
            reasons.append("serious_illness")
        if reasons:
            found.append({**p, "age": age, "reasons": reasons})
    found.sort(key=lambda r: (r["area_code"], r["name"]))
    return found


async def _person_in_scope(user: CurrentUser, person_id) -> dict:
    row = await Person.select(Person.id, Person.name, Person.household.area.path.as_alias("area_path")).where(
        (Person.id == person_id) & in_scope(user, Person.household.area)
    ).first()
    if row is None:
        raise NotFound(N_("找不到该人员，或不在您的管辖范围内。"), field="person_id")
    return row


async def add(user: CurrentUser, person_id, reasons, note: str = "") -> dict:
    """Put a person on the roster; Conflict when they are on it already."""
    person = await _person_in_scope(user, rules.uuid_value(person_id, "person_id"))
    codes = clean_reasons(reasons)
    note = rules.text(note, "note", required="other" in codes, max_length=500, label="说明")
    if await WatchEntry.exists().where((WatchEntry.person == person["id"]) & (WatchEntry.active == True)):  # noqa: E712
        raise Conflict(N_("{name} 已在每日关注名单中", name=person["name"]), field="person_id")
    at = now()
    entry = WatchEntry(
        id=uuid.uuid4(), person=person["id"], reasons=",".join(codes), note=note, active=True, added_by=user.id, added_at=at, updated_at=at
    )
    await entry.save()
    await feed.touch(KIND, str(entry.id), person["area_path"], new=True)
    await record(user, "watch.add", "person", str(person["id"]), {"entry": str(entry.id), "reasons": codes, "note": note})
    return {"id": str(entry.id), "person_id": str(person["id"]), "name": person["name"], "reasons": codes}


async def add_proposed(user: CurrentUser, area_path: str | None = None) -> int:
    """Put every proposed person (inside one area, when given) on the roster; answers how many."""
    added = 0
    for proposal in await proposals(user, area_path):
        await add(user, proposal["id"], proposal["reasons"])
        added += 1
    return added


async def remove(user: CurrentUser, entry_id, reason: str) -> dict:
    """Take a person off the roster, with the reason (kept with the entry)."""
    entry_id = rules.uuid_value(entry_id, "id")
    reason = rules.text(reason, "reason", max_length=500, label="移出原因")
    rows = await roster(user, ids=[entry_id])
    if not rows:
        raise NotFound(N_("找不到该名单记录，或不在您的管辖范围内。"))
    row = rows[0]
    at = now()
    await WatchEntry.update(
        {
            WatchEntry.active: False,
            WatchEntry.removed_by: user.id,
            WatchEntry.removed_at: at,
            WatchEntry.removal_reason: reason,
            WatchEntry.version: WatchEntry.version + 1,
            WatchEntry.updated_at: at,
        }
    ).where(WatchEntry.id == entry_id)
    await feed.touch(KIND, str(entry_id), None)
    await record(user, "watch.remove", "person", str(row["person_id"]), {"entry": str(entry_id), "reason": reason})
    return {"id": str(entry_id), "name": row["name"]}


def entry_record(row: dict) -> dict:
    """A roster entry as the phone receives it."""
    return {
        "kind": KIND,
        "id": str(row["id"]),
        "person_id": str(row["person_id"]),
        "name": row["name"],
        "sex": row["sex"],
        "age": row["age"],
        "address": row["address"],
        "phone": row["phone"],
        "area": row["area_code"],
        "area_name": row["area_name"],
        "reasons": row["reasons"],
        "note": row["note"],
        "version": row["version"],
    }


async def load_entries(user: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: the active entries among `ids` in the user's scope."""
    rows = await roster(user, ids=rules.uuid_keys(ids))
    return {str(row["id"]): entry_record(row) for row in rows}


async def list_entries() -> list[tuple[str, str]]:
    """For the feed's backfill: (id, area path) of every active entry."""
    rows = await WatchEntry.select(WatchEntry.id, WatchEntry.person.household.area.path.as_alias("path")).where(WatchEntry.active == True)  # noqa: E712
    return [(str(r["id"]), r["path"]) for r in rows]


async def community_for(user: CurrentUser, code: str | None) -> dict | None:
    """An area inside the user's scope chosen by code (None: no narrowing)."""
    if not code:
        return None
    return await area_for_write(user, code)
