"""Helpers shared by the paperwork tests (no tests here): an emergency, decided cases, obligations."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from server.households.tables import Person
from server.paperwork.tables import Obligation
from server.visits.tables import Visit
from tests.support.auth import sign_in
from tests.support.review_cases import id_number, make_case


async def declare_emergency(client, starts_on: date | None = None) -> int:
    """The district officer declares the simplified procedure for 440106; answers the period id."""
    await sign_in(client, "district", kind="desktop")
    body = {"starts_on": (starts_on or date.today() - timedelta(days=10)).isoformat(), "spot_check_percent": 0, "tekun_spot_check_percent": 30}
    response = await client.post("/api/procedures/emergency", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def end_emergency(client, period_id: int, ends_on: date | None = None) -> dict:
    await sign_in(client, "district", kind="desktop")
    body = {"ends_on": ends_on.isoformat()} if ends_on else {}
    response = await client.post(f"/api/procedures/emergency/{period_id}/end", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def add_member(household_id: str, name: str, relation: str, serial: int, position: int) -> None:
    await Person.insert(Person(id=uuid.uuid4(), household=uuid.UUID(household_id), position=position, name=name, relation=relation,
                               id_number=id_number(serial=serial), birth_date=date(1960, 5, 1), sex="F"))


async def add_visit(case_id: str, community_id: int, situation: str = "") -> None:
    at = datetime.now(timezone.utc) - timedelta(hours=5)
    await Visit.insert(Visit(id=uuid.uuid4(), case=uuid.UUID(case_id), area=community_id, mode="video", investigator_1="王网格",
                             investigator_2="赵社工", visited_at=at, members_situation=situation, recorded_at=at))


async def approve(client, case_id: str, supervisor: str = "supervisor") -> dict:
    await sign_in(client, supervisor, kind="desktop")
    response = await client.post(f"/api/review/cases/{case_id}/decisions",
                                 json={"action": "approve", "expected_status": "submitted", "expected_version": 1})
    assert response.status_code == 200, response.text
    return response.json()


async def decided_case(client, **case_fields) -> dict:
    """A submitted case approved by the street supervisor under the emergency procedure."""
    made = await make_case(**case_fields)
    made["decision"] = await approve(client, made["case_id"])
    return made


async def obligations_of(case_id: str) -> list[dict]:
    return await Obligation.select().where(Obligation.case == uuid.UUID(case_id)).output(load_json=True)
