"""Cases for the review tests: a household with an applicant, and a case in a chosen state."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.tables import Case
from server.households.idnumber import check_character
from server.households.tables import Household, Person


def id_number(birth: date = date(1960, 5, 1), serial: int = 123, district: str = "440106") -> str:
    first17 = f"{district}{birth:%Y%m%d}{serial:03d}"
    return first17 + check_character(first17)


async def make_case(
    *,
    community: str = "440106004001",
    worker: str | None = "worker",
    type: str = "dibao",
    status: str = "submitted",
    name: str = "测试申请人",
    address: str = "测试路1号",
    serial: int = 123,
    opened_at: datetime | None = None,
    accepted_at: datetime | None = None,
) -> dict:
    """A household (one member, the applicant) and a case; answers {"case_id", "household_id", "id_number"}.
    A case past draft was accepted when it was opened unless `accepted_at` says otherwise."""
    area = await Area.select(Area.id).where(Area.code == community).first()
    worker_id = (await User.select(User.id).where(User.username == worker).first())["id"] if worker else None
    at = opened_at or datetime.now(timezone.utc) - timedelta(days=1)
    household_id, case_id = uuid.uuid4(), uuid.uuid4()
    number = id_number(serial=serial)
    await Household.insert(Household(id=household_id, area=area["id"], address=address, created_by=worker_id, created_at=at, updated_at=at))
    await Person.insert(Person(id=uuid.uuid4(), household=household_id, position=0, name=name, relation="self", id_number=number,
                               birth_date=date(1960, 5, 1), sex="M"))
    await Case.insert(Case(id=case_id, household=household_id, area=area["id"], type=type, status=status, procedure="normal",
                           opened_by=worker_id, opened_at=at, accepted_at=accepted_at or (None if status == "draft" else at), assigned_to=worker_id, version=1, updated_at=at))
    return {"case_id": str(case_id), "household_id": str(household_id), "id_number": number}
