"""Scoped reads for the field pages: the caseload, one case with its household, the areas."""

from __future__ import annotations

from server.accounts.current import CurrentUser
from server.areas.scope import get_in_scope, in_scope
from server.areas.tables import Area
from server.cases.tables import Case
from server.households.tables import Household, Person
from server.visits.services import visits_of_case

CASELOAD_LIMIT = 500


async def applicants(household_ids: list) -> dict:
    """The applicant's name (relation `self`, else the first member) of each household."""
    if not household_ids:
        return {}
    rows = await Person.select(Person.household, Person.name, Person.relation, Person.position).where(
        Person.household.is_in(household_ids)
    ).order_by(Person.position)
    names: dict = {}
    for row in rows:
        if row["relation"] == "self" or row["household"] not in names:
            names[row["household"]] = row["name"]
    return names


async def caseload(user: CurrentUser) -> list[dict]:
    """The open cases in the user's scope, their own first, most recently changed first."""
    rows = await Case.select(
        Case.id,
        Case.type,
        Case.status,
        Case.procedure,
        Case.updated_at,
        Case.assigned_to,
        Case.household.id.as_alias("household_id"),
        Case.household.address.as_alias("address"),
    ).where(in_scope(user, Case.area) & (Case.status != "closed")).order_by(Case.updated_at, ascending=False).limit(CASELOAD_LIMIT)
    names = await applicants([r["household_id"] for r in rows])
    for row in rows:
        row["applicant"] = names.get(row["household_id"], "")
    rows.sort(key=lambda r: r["assigned_to"] != user.id)  # stable: keeps the date order within each group
    return rows


async def households(user: CurrentUser) -> list[dict]:
    """The households in the user's scope, for choosing one when opening a case."""
    rows = await Household.select(Household.id, Household.address).where(in_scope(user, Household.area)).order_by(Household.address)
    names = await applicants([r["id"] for r in rows])
    for row in rows:
        row["applicant"] = names.get(row["id"], "")
    return rows


async def communities(user: CurrentUser) -> list[dict]:
    """The communities a household may be registered in."""
    return await Area.select(Area.code, Area.name).where(
        Area.path.like(f"{user.area_path}%") & (Area.level == "community")
    ).order_by(Area.path)


async def case_page(user: CurrentUser, case_id) -> dict:
    """One case with its household, members and visits; NotFound outside the user's scope."""
    case = await get_in_scope(user, Case, case_id, Case.area)
    household = await Household.select().where(Household.id == case["household"]).first()
    members = await Person.select().where(Person.household == case["household"]).order_by(Person.position)
    return {"case": case, "household": household, "members": members, "visits": await visits_of_case(user, case_id)}
