"""A realistic demo: Guangzhou with 2 districts, 4 streets, 8 communities, 48 households.

Figures and names are invented examples; the place names and codes are Guangzhou's, as in
DOMAIN.md's example values.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from server.accounts import roles
from server.accounts.tables import User
from server.areas.services import create_area
from server.areas.tables import Area
from server.cases.tables import Case
from server.casework.demo import load_casework_demo
from server.watch.demo import load_watch_demo
from server.clock import now
from server.households.idnumber import check_character
from server.households.tables import Household, Person
from sync.db import write_transaction
from sync.feed import forget_backfill

CITY = ("440100", "广州市")
DISTRICTS = {
    ("440106", "天河区"): {
        ("440106004", "石牌街道"): [("440106004001", "华师社区"), ("440106004002", "南方社区")],
        ("440106012", "棠下街道"): [("440106012001", "棠下社区"), ("440106012002", "荷光社区")],
    },
    ("440111", "白云区"): {
        ("440111002", "三元里街道"): [("440111002001", "三元里社区"), ("440111002002", "松柏社区")],
        ("440111019", "京溪街道"): [("440111019001", "京溪社区"), ("440111019002", "云景社区")],
    },
}

# (username, display name, role, area code)
DEMO_USERS = [
    ("admin", "系统管理员", roles.ADMIN, "440100"),
    ("district", "陈区民政", roles.DISTRICT_OFFICER, "440106"),
    ("supervisor", "林审核", roles.STREET_SUPERVISOR, "440106004"),
    ("worker", "王网格", roles.GRID_WORKER, "440106004001"),
    ("worker2", "李网格", roles.GRID_WORKER, "440106004002"),
    ("worker3", "张网格", roles.GRID_WORKER, "440111002001"),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗梁"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "国强", "淑珍"]
STREETS = ["天河北路", "中山大道", "石牌东路", "棠下村", "三元里大道", "京溪路", "云景路", "广园中路"]

CASE_PLAN = [
    ("dibao", "submitted", "emergency"),
    ("dibao", "approved", "normal"),
    ("dibao", "draft", "emergency"),
    ("tekun", "investigating", "normal"),
    ("tekun", "publicizing", "normal"),
    ("temporary", "approved", "emergency"),
    ("temporary", "submitted", "emergency"),
    ("extension", "submitted", "emergency"),
    ("extension", "approved", "emergency"),
    ("referral", "closed", "normal"),
    ("referral", "submitted", "normal"),
    ("dibao", "returned", "emergency"),
    ("dibao", "rejected", "normal"),
]


def demo_id_number(rng: random.Random, district_code: str, birth: date, sex: str) -> str:
    seq = rng.randrange(0, 50) * 2 + (1 if sex == "M" else 0)
    first17 = f"{district_code}{birth:%Y%m%d}{rng.randrange(10)}{seq:02d}"
    return first17 + check_character(first17)


def _person(rng: random.Random, district: str, surname: str, relation: str, age: int, sex: str) -> dict:
    today = date(2026, 1, 1)
    birth = today - timedelta(days=age * 365 + rng.randrange(300))
    return {
        "name": surname + rng.choice(GIVEN),
        "sex": sex,
        "birth_date": birth,
        "relation": relation,
        "id_number": demo_id_number(rng, district, birth, sex),
        "disability": rng.choice(["", "", "", "", "2", "3", "4"]),
        "serious_illness": rng.random() < 0.15,
        "labour_capacity": "none" if age >= 60 or age < 16 else rng.choice(["full", "full", "partial"]),
    }


def _members(rng: random.Random, district: str) -> list[dict]:
    surname = rng.choice(SURNAMES)
    size = rng.choice([1, 1, 2, 3, 3, 4])
    head_age = rng.randrange(28, 86)
    members = [_person(rng, district, surname, "self", head_age, rng.choice("MF"))]
    if size >= 2:
        members.append(_person(rng, district, rng.choice(SURNAMES), "spouse", max(20, head_age + rng.randrange(-5, 5)), "F" if members[0]["sex"] == "M" else "M"))
    for _ in range(size - 2):
        members.append(_person(rng, district, surname, "child", rng.randrange(3, 20), rng.choice("MF")))
    return members


async def demo_is_loaded() -> bool:
    return await Area.exists().where(Area.code == CITY[0])


async def load_demo(seed: int = 2021) -> dict[str, int]:
    """Create the demo areas, users, households and cases; returns counts."""
    rng = random.Random(seed)
    at = now()
    await create_area(*CITY, level="city")
    communities: list[tuple[str, str]] = []  # (community code, district code)
    for (d_code, d_name), streets in DISTRICTS.items():
        await create_area(d_code, d_name, "district", CITY[0])
        for (s_code, s_name), comms in streets.items():
            await create_area(s_code, s_name, "street", d_code)
            for c_code, c_name in comms:
                await create_area(c_code, c_name, "community", s_code)
                communities.append((c_code, d_code))
    area_ids = {r["code"]: r["id"] for r in await Area.select(Area.id, Area.code)}
    users = {}
    for username, name, role, code in DEMO_USERS:
        user = User(username=username, display_name=name, role=role, area=area_ids[code], created_at=at)
        await user.save()
        users[code] = user.id
    household_rows: list[Household] = []
    person_rows: list[Person] = []
    case_rows: list[Case] = []
    plan = iter(CASE_PLAN * 10)
    for c_code, d_code in communities:
        worker = users.get(c_code)
        for _ in range(6):
            hid = uuid.UUID(int=rng.getrandbits(128), version=4)
            household_rows.append(
                Household(
                    id=hid,
                    area=area_ids[c_code],
                    address=f"{rng.choice(STREETS)}{rng.randrange(1, 300)}号{rng.randrange(1, 30)}栋{rng.randrange(101, 2800)}房",
                    contact_phone=f"13{rng.randrange(10**8, 10**9)}",
                    hukou_type=rng.choice(["local_urban", "local_urban", "local_rural", "non_local"]),
                    created_by=worker,
                    created_at=at,
                    updated_at=at,
                )
            )
            for position, member in enumerate(_members(rng, d_code)):
                person_rows.append(Person(id=uuid.UUID(int=rng.getrandbits(128), version=4), household=hid, position=position, **member))
            case_type, status, procedure = next(plan)
            opened = at - timedelta(days=rng.randrange(1, 40))
            case_rows.append(
                Case(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4),
                    household=hid,
                    area=area_ids[c_code],
                    type=case_type,
                    status=status,
                    procedure=procedure,
                    opened_by=worker,
                    opened_at=opened,
                    accepted_at=None if status == "draft" else opened,
                    assigned_to=worker,
                    updated_at=opened,
                )
            )
    async with write_transaction(Household._meta.db):
        await Household.insert(*household_rows)
        await Person.insert(*person_rows)
        await Case.insert(*case_rows)
    households, persons, cases = len(household_rows), len(person_rows), len(case_rows)
    await load_casework_demo(seed)
    await load_watch_demo(seed)
    await forget_backfill()  # written without touching the sync feed: the next pull from scratch feeds it in
    return {"areas": len(area_ids), "users": len(DEMO_USERS), "households": households, "persons": persons, "cases": cases}
