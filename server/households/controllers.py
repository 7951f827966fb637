"""Households over JSON. Every read goes through the scoping function: out of scope is a 404."""

from __future__ import annotations

import uuid

from litestar import Controller, Request, get
from litestar.params import FromPath

from server.accounts.guards import requires_user
from server.areas.scope import get_in_scope
from server.areas.tables import Area
from server.audit.services import record
from server.errors import NotFound
from server.households.idnumber import mask
from server.households.tables import Household, Person
from server.households.schemas import Household as HouseholdAnswer
from server.openapi import answers


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound() from None


class HouseholdApiController(Controller):
    path = "/api/households"
    guards = [requires_user]

    @get("/{household_id:str}", name="api_household", responses=answers(HouseholdAnswer))
    async def show(self, request: Request, household_id: FromPath[str]) -> dict:
        """One household with its members; identity numbers masked."""
        user = request.user
        household = await get_in_scope(user, Household, _uuid(household_id), Household.area)
        area = await Area.select(Area.code, Area.name).where(Area.id == household["area"]).first()
        members = await Person.select(
            Person.id, Person.name, Person.sex, Person.birth_date, Person.relation, Person.id_number,
            Person.disability, Person.serious_illness, Person.labour_capacity,
        ).where(Person.household == household["id"]).order_by(Person.position)
        for member in members:
            member["id"] = str(member["id"])
            member["id_number"] = mask(member["id_number"]) if member["id_number"] else ""
        await record(user, "household.view", "household", str(household["id"]), {})
        return {
            "id": str(household["id"]),
            "area": {"code": area["code"], "name": area["name"]},
            "address": household["address"],
            "contact_phone": household["contact_phone"],
            "hukou_type": household["hukou_type"],
            "version": household["version"],
            "updated_at": household["updated_at"].isoformat(),
            "members": members,
        }
