"""Households in a push batch: the ones it names, loaded at once, and new ones staged.

The batched form of `household.upsert` (mutations.py) creates a household by staging its row
and its members' rows in the push's batch (sync/batch.py) rather than inserting them one query
at a time. Edits of existing households are left to the plain handler.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from server.accounts.current import CurrentUser
from server.households.services import KIND, writable_area
from server.households.tables import Household, Person
from sync import feed, sql
from sync.batch import Batch

# Which argument of which mutation names a household. Other domains add theirs (case.create's
# household_id), so that one query loads every household a batch names.
HOUSEHOLD_ARGUMENTS: dict[str, str] = {"household.upsert": "id"}

_FACT = "households"


def _as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _uuid_or_none(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


async def _load(ids: list[uuid.UUID]) -> dict[uuid.UUID, dict]:
    """{id: {"id", "area_id", "area_path"}} of the households among `ids` (one query per 500)."""
    connection = sql.in_transaction(Household._meta.db)
    found: dict[uuid.UUID, dict] = {}
    for chunk in sql.chunks(ids):
        rows = await connection.fetch(
            "SELECT household.id AS id, household.area AS area_id, area.path AS area_path FROM household"
            f" JOIN area ON area.id = household.area WHERE household.id IN ({sql.placeholders(len(chunk))})",
            *chunk,
        )
        found.update({_as_uuid(row["id"]): row for row in rows})
    return found


async def _known(batch: Batch) -> dict[uuid.UUID, dict | None]:
    """{id: {"id", "area_id", "area_path"} or None} for every household the batch names."""
    known = batch.facts.get(_FACT)
    if known is None:
        named = {_uuid_or_none(args.get(key)) for name, key in HOUSEHOLD_ARGUMENTS.items() for args in batch.args_of(name)}
        ids = sorted(i for i in named if i is not None)
        known = dict.fromkeys(ids) | await _load(ids)
        batch.facts[_FACT] = known
    return known


async def household_in_batch(batch: Batch, household_id: uuid.UUID) -> dict | None:
    """The household as this batch sees it (the database and what the batch created), anywhere:
    check its area_path against the user's scope before use."""
    known = await _known(batch)
    if household_id not in known:  # named by an argument the batch did not foresee
        known[household_id] = (await _load([household_id])).get(household_id)
    return known[household_id]


def _member_row(household_id: uuid.UUID, position: int, member: dict) -> dict:
    """A member as services._write_members inserts a new one (its id derived from the ID number)."""
    return {
        "id": uuid.uuid5(household_id, member["id_number"]),
        "household": household_id,
        "position": position,
        "name": member["name"],
        "sex": member["sex"],
        "birth_date": datetime.fromisoformat(member["birth_date"]).date(),
        "relation": member["relation"],
        "id_number": member["id_number"],
        "disability": member["disability"],
        "serious_illness": member["serious_illness"],
        "labour_capacity": member["labour_capacity"],
    }


async def stage_new_household(user: CurrentUser, batch: Batch, household_id: uuid.UUID, values: dict, at: datetime) -> dict:
    """Stage a new household (clean_fields(creating=True) values, members without ids); answers as create_household."""
    area = await writable_area(user, values["area"], batch.cache)
    batch.stage(
        Household,
        {
            "id": household_id,
            "area": area["id"],
            "address": values["address"],
            "contact_phone": values["contact_phone"],
            "hukou_type": values["hukou_type"],
            "version": 1,
            "created_by": user.id,
            "created_at": at,
            "updated_at": at,
        },
    )
    for position, member in enumerate(values["members"]):
        batch.stage(Person, _member_row(household_id, position, member))
    await feed.touch(KIND, str(household_id), area["path"], new=True)
    (await _known(batch))[household_id] = {"id": household_id, "area_id": area["id"], "area_path": area["path"]}
    return {"id": str(household_id), "version": 1}
