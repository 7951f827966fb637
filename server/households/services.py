"""Households and their members: validation, writes from devices, and what the pull sends.

A household is written by the `household.upsert` mutation (server/households/mutations.py):
created when its id is new, edited field by field (merged against `version`) otherwise.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from server.accounts.current import CurrentUser
from server.areas.scope import area_for_write, find_in_scope, in_scope
from server.clock import now
from server.errors import Invalid, NotFound
from server.households.idnumber import birth_date_of, sex_of
from server.households.tables import HUKOU_TYPES, LABOUR_CAPACITY, RELATIONS, Household, Person
from server.i18n import N_
from server.validation import rules
from sync import feed, merge

KIND = "household"
FIELDS = ("area", "address", "contact_phone", "hukou_type", "members")
DISABILITY_GRADES = ("", "1", "2", "3", "4")
MAX_MEMBERS = 30


def clean_member(raw: Any, index: int) -> dict:
    """One member, with the defaults a minimal {name, id_number, relation} leaves out."""
    where = f"members[{index}]"
    if not isinstance(raw, dict):
        raise Invalid(N_("家庭成员应为对象：{name, id_number, relation}"), field=where)
    id_number = rules.id_number(raw.get("id_number"), f"{where}.id_number")
    member = {
        "name": rules.text(raw.get("name"), f"{where}.name", max_length=100, label="成员姓名"),
        "id_number": id_number,
        "relation": rules.choice(raw.get("relation"), f"{where}.relation", RELATIONS, label="与申请人关系"),
        "sex": rules.choice(raw.get("sex") or sex_of(id_number), f"{where}.sex", ("M", "F"), label=N_("性别")),
        "birth_date": (rules.day(raw.get("birth_date"), f"{where}.birth_date", required=False) or birth_date_of(id_number)).isoformat(),
        "disability": rules.choice(str(raw.get("disability") or "") or "none", f"{where}.disability", ("none", *DISABILITY_GRADES[1:]), label="残疾等级"),
        "serious_illness": rules.flag(raw.get("serious_illness", False), f"{where}.serious_illness"),
        "labour_capacity": rules.choice(raw.get("labour_capacity") or "full", f"{where}.labour_capacity", LABOUR_CAPACITY, label="劳动能力"),
    }
    member["disability"] = "" if member["disability"] == "none" else member["disability"]
    if raw.get("id") not in (None, ""):
        member["id"] = str(rules.uuid_value(raw["id"], f"{where}.id"))
    return member


def clean_members(raw: Any) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        raise Invalid(N_("请至少填写一名家庭成员（申请人本人，relation 为 self）"), field="members")
    if len(raw) > MAX_MEMBERS:
        raise Invalid(N_("家庭成员最多{count}人", count=MAX_MEMBERS), field="members")
    members = [clean_member(item, index) for index, item in enumerate(raw)]
    if sum(1 for m in members if m["relation"] == "self") != 1:
        raise Invalid(N_("家庭成员中须有且只有一名申请人本人（relation 为 self）"), field="members")
    numbers = [m["id_number"] for m in members]
    if len(set(numbers)) != len(numbers):
        raise Invalid(N_("家庭成员的身份证号有重复"), field="members")
    return members


def clean_fields(args: dict, *, creating: bool) -> dict:
    """The household fields present in `args`, validated; a creation fills in the defaults."""
    values: dict[str, Any] = {}
    if creating or "area" in args:
        values["area"] = rules.text(args.get("area"), "area", max_length=32, label="所属社区")
    if creating or "address" in args:
        values["address"] = rules.text(args.get("address"), "address", max_length=300, label="家庭住址")
    if creating or "contact_phone" in args:
        values["contact_phone"] = rules.phone(args.get("contact_phone"), "contact_phone", required=False)
    if creating or "hukou_type" in args:
        values["hukou_type"] = rules.choice(args.get("hukou_type") or "local_urban", "hukou_type", HUKOU_TYPES, label="户籍类型")
    if creating or "members" in args:
        values["members"] = clean_members(args.get("members"))
    return values


def comparable_members(members: list[dict]) -> list[dict]:
    """Members as compared in a merge: without server-assigned ids."""
    return [{k: v for k, v in m.items() if k not in ("id", "position")} for m in members]


def member_record(row: dict) -> dict:
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "id_number": row["id_number"],
        "relation": row["relation"],
        "sex": row["sex"],
        "birth_date": row["birth_date"].isoformat() if row["birth_date"] else None,
        "disability": row["disability"],
        "serious_illness": row["serious_illness"],
        "labour_capacity": row["labour_capacity"],
    }


_COLUMNS = (
    Household.id,
    Household.address,
    Household.contact_phone,
    Household.hukou_type,
    Household.version,
    Household.created_at,
    Household.updated_at,
    Household.area.id.as_alias("area_id"),
    Household.area.code.as_alias("area_code"),
    Household.area.path.as_alias("area_path"),
)


# Above this many ids a loader reads the whole scope and filters in Python: one plain query is
# much cheaper than a query with thousands of parameters (a first pull asks for all of them).
BULK = 200


async def _members_of(ids: list[uuid.UUID], user: CurrentUser | None = None) -> dict[uuid.UUID, list[dict]]:
    """The members of the households `ids`, in order, by household id."""
    query = Person.select().order_by(Person.household).order_by(Person.position)
    if user is not None and len(ids) > BULK:
        query = query.where(in_scope(user, Person.household.area))
    else:
        query = query.where(Person.household.is_in(ids))
    wanted = set(ids)
    found: dict[uuid.UUID, list[dict]] = {}
    for row in await query:
        if row["household"] in wanted:
            found.setdefault(row["household"], []).append(member_record(row))
    return found


def household_record(row: dict, members: list[dict], key: str | None = None) -> dict:
    """A household as devices receive it (`key`: its id as text, when already at hand)."""
    return {
        "id": key or str(row["id"]),
        "area": row["area_code"],
        "address": row["address"],
        "contact_phone": row["contact_phone"],
        "hukou_type": row["hukou_type"],
        "members": members,
        "version": row["version"],
        "updated_at": row["updated_at"].isoformat(),
    }


async def load_households(user: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: the households among `ids` inside the user's scope, with members."""
    if len(ids) > BULK:
        rows = await Household.select(*_COLUMNS).where(in_scope(user, Household.area))
    else:
        rows = await Household.select(*_COLUMNS).where(Household.id.is_in([uuid.UUID(i) for i in ids]) & in_scope(user, Household.area))
    wanted = set(ids)
    keyed = [(key, row) for row in rows if (key := str(row["id"])) in wanted]
    members = await _members_of([row["id"] for _, row in keyed], user) if keyed else {}
    return {key: household_record(row, members.get(row["id"], []), key) for key, row in keyed}


async def list_households() -> list[tuple[str, str]]:
    """Every household with its community's path (for feeding records written by other means)."""
    rows = await Household.select(Household.id, Household.area.path.as_alias("path"))
    return [(str(row["id"]), row["path"]) for row in rows]


async def household_in_scope(user: CurrentUser, household_id: uuid.UUID) -> dict | None:
    return await find_in_scope(user, Household, household_id, Household.area, *_COLUMNS)


async def household_anywhere(household_id: uuid.UUID) -> dict | None:
    """The household wherever it is (check its area_path against the user's scope before use)."""
    return await Household.select(*_COLUMNS).where(Household.id == household_id).first()


async def _write_members(household_id: uuid.UUID, members: list[dict], existing: list[dict]) -> None:
    """Write the member list in place: known members keep their ids (other records may point at them)."""
    known = {m["id"] for m in existing}
    by_number = {m["id_number"]: m["id"] for m in existing}
    wanted = [m.get("id") for m in members if m.get("id") and m.get("id") not in known]
    taken = {str(r["id"]) for r in await Person.select(Person.id).where(Person.id.is_in([uuid.UUID(i) for i in wanted]))} if wanted else set()
    keep: set[str] = set()
    inserts = []
    for position, member in enumerate(members):
        pid = member.get("id")
        if pid not in known:
            pid = by_number.get(member["id_number"]) or (pid if pid and pid not in taken else None)
        pid = pid or str(uuid.uuid5(household_id, member["id_number"]))
        keep.add(pid)
        values = {k: v for k, v in member.items() if k != "id"}
        values["birth_date"] = datetime.fromisoformat(values["birth_date"]).date()
        if pid in known:
            await Person.update({getattr(Person, k): v for k, v in values.items()} | {Person.position: position}).where(Person.id == uuid.UUID(pid))
        else:
            inserts.append(Person(id=uuid.UUID(pid), household=household_id, position=position, **values))
    stale = [uuid.UUID(i) for i in known - keep]
    if stale:
        await Person.delete().where(Person.id.is_in(stale))
    if inserts:
        await Person.insert(*inserts)


async def writable_area(user: CurrentUser, code: str, cache: dict | None = None) -> dict:
    """area_for_write, remembered for the rest of a push batch (`cache` is the batch's)."""
    if cache is None:
        return await area_for_write(user, code)
    key = ("area_for_write", user.area_path, code)
    if key not in cache:
        cache[key] = await area_for_write(user, code)
    return cache[key]


async def create_household(user: CurrentUser, household_id: uuid.UUID, values: dict, at: datetime, cache: dict | None = None) -> dict:
    area = await writable_area(user, values["area"], cache)
    await Household.insert(
        Household(
            id=household_id,
            area=area["id"],
            address=values["address"],
            contact_phone=values["contact_phone"],
            hukou_type=values["hukou_type"],
            version=1,
            created_by=user.id,
            created_at=at,
            updated_at=at,
        )
    )
    await _write_members(household_id, values["members"], [])
    await feed.touch(KIND, str(household_id), area["path"], new=True)
    return {"id": str(household_id), "version": 1}


async def current_values(row: dict) -> dict:
    members = (await _members_of([row["id"]])).get(row["id"], [])
    return {
        "area": row["area_code"],
        "address": row["address"],
        "contact_phone": row["contact_phone"],
        "hukou_type": row["hukou_type"],
        "members": comparable_members(members),
        "_members": members,
    }


async def write_fields(user: CurrentUser, row: dict, values: dict, current: dict, at: datetime) -> int:
    """Write changed fields of an existing household; answers the new version."""
    update: dict = {Household.updated_at: at, Household.version: row["version"] + 1}
    area_path = row["area_path"]
    if "area" in values:
        area = await area_for_write(user, values["area"])
        update[Household.area] = area["id"]
        area_path = area["path"]
    for name in ("address", "contact_phone", "hukou_type"):
        if name in values:
            update[getattr(Household, name)] = values[name]
    await Household.update(update).where(Household.id == row["id"])
    if "members" in values:
        await _write_members(row["id"], values["members"], current["_members"])
    version = row["version"] + 1
    await merge.stamp(KIND, str(row["id"]), list(values), version)
    await feed.touch(KIND, str(row["id"]), area_path)
    if "area" in values:
        await _move_cases(row["id"], update[Household.area], area_path)
    return version


async def _move_cases(household_id: uuid.UUID, area_id: int, area_path: str) -> None:
    """A household's cases follow it to its new community (and leave the old one's feed)."""
    from server.cases.services import move_cases_of_household

    await move_cases_of_household(household_id, area_id, area_path)


async def apply_household_fields(user: CurrentUser, record_id: str, values: dict) -> dict:
    """Conflict resolution: write the device's values the person chose; answers the household."""
    row = await household_in_scope(user, uuid.UUID(record_id))
    if row is None:
        raise NotFound()
    clean = clean_fields(values, creating=False)
    current = await current_values(row)
    await write_fields(user, row, clean, current, now())
    return (await load_households(user, [record_id]))[record_id]
