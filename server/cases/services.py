"""Cases written from devices (`case.create`, `case.update`) and what the pull sends of them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from server.accounts.current import CurrentUser
from server.areas.scope import find_in_scope, in_scope
from server.cases.kinds import CASE_TYPES, PROCEDURES
from server.cases.tables import Case
from server.clock import now
from server.errors import Invalid, NotFound
from server.households.services import BULK
from server.households.tables import Household
from server.i18n import N_
from server.validation import rules
from sync import feed, merge

KIND = "case"
# The fields a device may edit with case.update; the status moves only through workflow steps.
EDITABLE = ("type", "procedure", "notes")
MAX_NOTES = 5000


def clean_changes(raw: Any) -> dict:
    """The `changes` of a case.update, validated."""
    if not isinstance(raw, dict) or not raw:
        raise Invalid(N_("changes 应为对象，至少包含一个可修改字段：{fields}", fields=", ".join(EDITABLE)), field="changes")
    unknown = sorted(set(raw) - set(EDITABLE))
    if unknown:
        raise Invalid(N_("这些字段不能通过 case.update 修改：{fields}", fields=", ".join(unknown)), field=f"changes.{unknown[0]}")
    values: dict[str, Any] = {}
    if "type" in raw:
        values["type"] = rules.choice(raw["type"], "changes.type", CASE_TYPES, label="救助类型")
    if "procedure" in raw:
        values["procedure"] = rules.choice(raw["procedure"], "changes.procedure", PROCEDURES, label="办理程序")
    if "notes" in raw:
        values["notes"] = rules.text(raw["notes"], "changes.notes", required=False, max_length=MAX_NOTES, label="备注")
    return values


_COLUMNS = (
    Case.id,
    Case.household,
    Case.type,
    Case.status,
    Case.procedure,
    Case.notes,
    Case.version,
    Case.opened_at,
    Case.opened_by,
    Case.assigned_to,
    Case.updated_at,
    Case.area.code.as_alias("area_code"),
    Case.area.path.as_alias("area_path"),
)


def case_record(row: dict, key: str | None = None) -> dict:
    """A case as devices receive it (`key`: its id as text, when already at hand)."""
    return {
        "id": key or str(row["id"]),
        "household_id": str(row["household"]),
        "area": row["area_code"],
        "type": row["type"],
        "status": row["status"],
        "procedure": row["procedure"],
        "notes": row["notes"],
        "version": row["version"],
        "opened_at": row["opened_at"].isoformat(),
        "opened_by": row["opened_by"],
        "assigned_to": row["assigned_to"],
        "updated_at": row["updated_at"].isoformat(),
    }


async def load_cases(user: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: the cases among `ids` inside the user's scope."""
    if len(ids) > BULK:  # a first pull: read the scope once rather than thousands of parameters
        rows = await Case.select(*_COLUMNS).where(in_scope(user, Case.area))
    else:
        rows = await Case.select(*_COLUMNS).where(Case.id.is_in([uuid.UUID(i) for i in ids]) & in_scope(user, Case.area))
    wanted = set(ids)
    return {key: case_record(row, key) for row in rows if (key := str(row["id"])) in wanted}


async def list_cases() -> list[tuple[str, str]]:
    """Every case with its community's path (for feeding records written by other means)."""
    rows = await Case.select(Case.id, Case.area.path.as_alias("path"))
    return [(str(row["id"]), row["path"]) for row in rows]


async def case_in_scope(user: CurrentUser, case_id: uuid.UUID) -> dict | None:
    return await find_in_scope(user, Case, case_id, Case.area, *_COLUMNS)


def clean_new_case(args: dict) -> dict:
    """The arguments of a case.create, validated: {id, household_id, type, procedure, notes}."""
    return {
        "id": rules.uuid_value(args.get("id"), "id"),
        "household_id": rules.uuid_value(args.get("household_id"), "household_id"),
        "type": rules.choice(args.get("type"), "type", CASE_TYPES, label="救助类型"),
        "procedure": rules.choice(args.get("procedure") or "normal", "procedure", PROCEDURES, label="办理程序"),
        "notes": rules.text(args.get("notes"), "notes", required=False, max_length=MAX_NOTES, label="备注"),
    }


def household_not_found() -> NotFound:
    return NotFound(N_("找不到该户，或不在您的管辖范围内。"), field="household_id")


def case_id_taken() -> Invalid:
    return Invalid(N_("该案件编号已存在"), field="id")


def new_case_row(user: CurrentUser, values: dict, area_id: int, *, opened_at: datetime | None, at: datetime) -> dict:
    """The row of a new case (database column names), in the household's community."""
    return {
        "id": values["id"],
        "household": values["household_id"],
        "area": area_id,
        "type": values["type"],
        "status": "draft",
        "procedure": values["procedure"],
        "notes": values["notes"],
        "opened_by": user.id,
        "opened_at": opened_at or at,
        "assigned_to": user.id,
        "version": 1,
        "updated_at": at,
    }


async def create_case(user: CurrentUser, args: dict, *, opened_at: datetime | None, at: datetime) -> dict:
    """Open a case on a household in the user's scope (the case lives in the household's community)."""
    values = clean_new_case(args)
    household = await Household.select(Household.id, Household.area.id.as_alias("area_id"), Household.area.path.as_alias("area_path")).where(
        (Household.id == values["household_id"]) & in_scope(user, Household.area)
    ).first()
    if household is None:
        raise household_not_found()
    if await Case.exists().where(Case.id == values["id"]):
        raise case_id_taken()
    await Case.insert(Case(**new_case_row(user, values, household["area_id"], opened_at=opened_at, at=at)))
    await feed.touch(KIND, str(values["id"]), household["area_path"], new=True)
    return {"id": str(values["id"]), "version": 1}


async def write_fields(row: dict, values: dict, at: datetime) -> int:
    """Write changed fields of a case; answers its new version."""
    version = row["version"] + 1
    update = {getattr(Case, name): value for name, value in values.items()}
    await Case.update({**update, Case.version: version, Case.updated_at: at}).where(Case.id == row["id"])
    await merge.stamp(KIND, str(row["id"]), list(values), version)
    await feed.touch(KIND, str(row["id"]), row["area_path"])
    return version


async def apply_case_fields(user: CurrentUser, record_id: str, values: dict) -> dict:
    """Conflict resolution: write the device's values the person chose; answers the case."""
    row = await case_in_scope(user, uuid.UUID(record_id))
    if row is None:
        raise NotFound()
    await write_fields(row, clean_changes(values), now())
    return (await load_cases(user, [record_id]))[record_id]


async def move_cases_of_household(household_id: uuid.UUID, area_id: int, area_path: str) -> None:
    """The household moved to another community: its cases follow it."""
    rows = await Case.select(Case.id).where(Case.household == household_id)
    if not rows:
        return
    await Case.update({Case.area: area_id, Case.updated_at: now()}).where(Case.household == household_id)
    for row in rows:
        await feed.touch(KIND, str(row["id"]), area_path)
