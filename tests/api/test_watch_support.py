"""Helpers shared by the watch, daily-check, dashboard and report tests (no tests here).

`hand_counted()` builds a small world on the demo's areas and users (without the demo's
households) whose figures are counted by hand in its docstring.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from server.accounts.sessions import create_session, load_session
from server.accounts.tables import User
from server.areas.services import create_area
from server.areas.tables import Area
from server.cases.tables import Case
from server.clock import LOCAL, now, today
from server.dailycheck.tables import DailyCheck
from server.demo import CITY, DEMO_USERS, DISTRICTS
from server.households.tables import Household, Person
from server.watch.tables import WatchEntry
from sync import feed
from sync.registry import MutationContext

HUASHI, NANFANG, TANGXIA, SANYUANLI = "440106004001", "440106004002", "440106012001", "440111002001"
SHIPAI, TIANHE = "440106004", "440106"


async def current_user(username: str):
    """The signed-in user object the services receive."""
    user = await User.select(User.id).where(User.username == username).first()
    return await load_session(await create_session(user["id"]))


async def context_of(username: str, client_id: str = "device-1") -> MutationContext:
    return MutationContext(actor=await current_user(username), client_id=client_id, mutation_id=1, created_at=None, received_at=now())


async def demo_places() -> None:
    """The demo's areas and users (server.demo's tables of them), and nothing else."""
    await create_area(*CITY, level="city")
    for (d_code, d_name), streets in DISTRICTS.items():
        await create_area(d_code, d_name, "district", CITY[0])
        for (s_code, s_name), communities in streets.items():
            await create_area(s_code, s_name, "street", d_code)
            for c_code, c_name in communities:
                await create_area(c_code, c_name, "community", s_code)
    area_ids = {r["code"]: r["id"] for r in await Area.select(Area.id, Area.code)}
    for username, name, role, code in DEMO_USERS:
        await User.insert(User(username=username, display_name=name, role=role, area=area_ids[code], created_at=now()))


async def household(community: str, members: list[dict], *, address: str = "石牌东路1号") -> list[uuid.UUID]:
    """A household with members {name, age?, serious_illness?, relation?}; answers the person ids."""
    area = await Area.select(Area.id).where(Area.code == community).first()
    hid = uuid.uuid4()
    await Household.insert(Household(id=hid, area=area["id"], address=address, contact_phone="13800000000", created_at=now(), updated_at=now()))
    ids = []
    for position, member in enumerate(members):
        pid = uuid.uuid4()
        age = member.get("age", 40)
        await Person.insert(
            Person(
                id=pid, household=hid, position=position, name=member["name"], relation=member.get("relation", "self" if position == 0 else "child"),
                birth_date=today() - timedelta(days=int(age * 365.25) + 10), serious_illness=member.get("serious_illness", False),
                labour_capacity="none" if age >= 60 else "full",
            )
        )
        ids.append(pid)
    return ids


async def case(household_person: uuid.UUID, case_type: str, status: str) -> None:
    person = await Person.select(Person.household, Person.household.area.as_alias("area")).where(Person.id == household_person).first()
    await Case.insert(
        Case(id=uuid.uuid4(), household=person["household"], area=person["area"], type=case_type, status=status, opened_at=now(), updated_at=now())
    )


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=LOCAL)


async def watch(person_id: uuid.UUID, reasons: str, *, added: date, removed: date | None = None) -> uuid.UUID:
    """An entry added at noon of `added` (and removed at noon of `removed`)."""
    entry_id = uuid.uuid4()
    await WatchEntry.insert(
        WatchEntry(
            id=entry_id, person=person_id, reasons=reasons, active=removed is None, added_at=at_noon(added), updated_at=at_noon(added),
            removed_at=at_noon(removed) if removed else None, removal_reason="迁出" if removed else "",
        )
    )
    path = (await Person.select(Person.household.area.path.as_alias("path")).where(Person.id == person_id).first())["path"]
    await feed.touch("watch", str(entry_id), None if removed else path, new=True)
    return entry_id


async def check(person_id: uuid.UUID, day: date, *, needs: str = "", living: str = "home", health: str = "stable", contact: str = "phone", handled: bool = False, service: str = "") -> uuid.UUID:
    """A check stored as the mutation would store it."""
    person = await Person.select(Person.household.area.as_alias("area")).where(Person.id == person_id).first()
    check_id = uuid.uuid4()
    await DailyCheck.insert(
        DailyCheck(
            id=check_id, person=person_id, area=person["area"], check_date=day, day_key=f"{person_id}:{day.isoformat()}",
            living_status=living, health=health, needs=needs, needs_other="", service=service, contact_method=contact,
            all_well=not needs and living == "home" and health == "stable", checked_at=at_noon(day), recorded_at=now(),
            handled_at=now() if handled else None, handled_note="已送达" if handled else "",
        )
    )
    return check_id


async def hand_counted() -> dict:
    """The hand-counted world (dates relative to today, T):

    石牌街道 440106004
      华师社区 001: A1 王小明 tekun, A2 李芳 elderly_alone, A3 张伟 serious_illness (added T-20);
                    A4 刘洋 quarantine (added T-3); A5 陈静 elderly_alone (added T-20, removed T).
      南方社区 002: B1 黄强 tekun, B2 赵敏 elderly_alone (added T-20).
    棠下街道 440106012, 棠下社区 001: C1 吴磊 elderly_alone (added T-20).
    白云区 三元里社区 440111002001: D1 周杰 elderly_alone (added T-20).

    Checks on T: A1 all well (phone); A2 needs medicine, not handled; A3 needs food, handled;
    B1 unreachable (video, no needs); C1 all well (video); D1 all well. Not checked: A4, B2.
    On T-1: A1, A5, B1.  On T-5: A1, A2, A3, A5, B1, B2.  No other checks.

    石牌 on T: roster 6 (A1–A4, B1, B2), checked 4, unchecked 2, 67 %, needs 2, handled 1.
      华师: 4 / 3 / 1, 75 %, needs 2, handled 1.   南方: 2 / 1 / 1, 50 %, needs 0.
    石牌 on T-1: roster 7 (A5 still on it, A4 added), checked 3 → 43 %.
    石牌 on T-5: roster 6 (no A4 yet), checked 6 → 100 %.  T-3, T-2: 0 of 7.  Other days: 0 of 6.
    天河区 on T: roster 7, checked 5, unchecked 2, 71 %.
    Cases in 石牌: tekun approved 1, dibao submitted 2, dibao approved 1 (total 4); one more
    dibao submitted in 三元里 (outside).
    """
    await demo_places()
    t = today()
    a1, = await household(HUASHI, [{"name": "王小明", "age": 66}])
    a2, = await household(HUASHI, [{"name": "李芳", "age": 81}])
    a3, a3b = await household(HUASHI, [{"name": "张伟", "age": 45, "serious_illness": True}, {"name": "张小伟", "age": 12}])
    a4, = await household(HUASHI, [{"name": "刘洋", "age": 35}])
    a5, = await household(HUASHI, [{"name": "陈静", "age": 77}])
    b1, = await household(NANFANG, [{"name": "黄强", "age": 62}])
    b2, = await household(NANFANG, [{"name": "赵敏", "age": 90}])
    c1, = await household(TANGXIA, [{"name": "吴磊", "age": 70}])
    d1, = await household(SANYUANLI, [{"name": "周杰", "age": 71}])
    people = {"A1": a1, "A2": a2, "A3": a3, "A4": a4, "A5": a5, "B1": b1, "B2": b2, "C1": c1, "D1": d1, "A3_child": a3b}
    for key, reason in (("A1", "tekun"), ("A2", "elderly_alone"), ("A3", "serious_illness"), ("B1", "tekun"), ("B2", "elderly_alone"), ("C1", "elderly_alone"), ("D1", "elderly_alone")):
        await watch(people[key], reason, added=t - timedelta(days=20))
    await watch(a4, "quarantine", added=t - timedelta(days=3))
    await watch(a5, "elderly_alone", added=t - timedelta(days=20), removed=t)
    checks = {
        "A1": await check(a1, t),
        "A2": await check(a2, t, needs="medicine", service="电话问候"),
        "A3": await check(a3, t, needs="food", handled=True),
        "B1": await check(b1, t, living="unreachable", contact="video"),
        "C1": await check(c1, t, contact="video"),
        "D1": await check(d1, t),
    }
    for key in ("A1", "A5", "B1"):
        await check(people[key], t - timedelta(days=1))
    for key in ("A1", "A2", "A3", "A5", "B1", "B2"):
        await check(people[key], t - timedelta(days=5))
    await case(a1, "tekun", "approved")
    await case(a2, "dibao", "submitted")
    await case(a3, "dibao", "submitted")
    await case(b1, "dibao", "approved")
    await case(d1, "dibao", "submitted")
    return {"people": people, "checks": checks, "today": t}
