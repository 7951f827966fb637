"""Demo data of the daily report: the roster proposed from the demo households (plus a few
quarantined households added by hand), and 14 days of checks ending today.

Past days are nearly complete with a few needs, most of them handled; today is about two thirds
done, so the dashboards show people not yet checked and needs waiting for someone to act.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, time, timedelta

from server.accounts.tables import User
from server.areas.tables import Area
from server.clock import LOCAL, last_days, now, today
from server.dailycheck.tables import DailyCheck
from server.households.tables import Person
from server.watch.services import proposals
from server.watch.tables import WatchEntry
from sync.db import write_transaction

SERVICES = ["电话问候", "代购生活物资", "送药上门", "协助预约就医", "代缴水电费", ""]
NEED_NOTES = {"food": "", "medicine": "", "medical": "", "other": "需要帮忙充值电表"}


class _Everyone:
    """The demo's view of the whole city, for proposing the roster."""

    area_path = ""


async def load_watch_demo(seed: int = 2021) -> dict[str, int]:
    """Put the proposed persons on the roster and record 14 days of checks; answers counts."""
    rng = random.Random(seed)
    at = now()
    day = today()
    added_at = at - timedelta(days=20)
    chosen = await proposals(_Everyone())  # type: ignore[arg-type]
    taken = {p["id"] for p in chosen}
    others = [p for p in await Person.select(Person.id, Person.household.area.code.as_alias("area_code")) if p["id"] not in taken]
    quarantined = rng.sample(others, min(6, len(others)))
    entries = [WatchEntry(id=uuid.UUID(int=rng.getrandbits(128), version=4), person=p["id"], reasons=",".join(p["reasons"]), added_at=added_at, updated_at=added_at) for p in chosen]
    entries += [
        WatchEntry(id=uuid.UUID(int=rng.getrandbits(128), version=4), person=p["id"], reasons="quarantine", note="密接者家庭，居家隔离14天", added_at=at - timedelta(days=5), updated_at=at)
        for p in quarantined
    ]
    areas = {r["code"]: r["id"] for r in await Area.select(Area.id, Area.code)}
    workers = {r["area"]: r["id"] for r in await User.select(User.id, User.area).where(User.role == "grid_worker")}
    community_of = {p["id"]: p["area_code"] for p in chosen} | {p["id"]: p["area_code"] for p in quarantined}
    checks = []
    for check_day in last_days(day, 14):
        share = 0.65 if check_day == day else 0.96
        for entry in entries:
            if entry.added_at.astimezone(LOCAL).date() > check_day or rng.random() > share:
                continue
            area = areas[community_of[entry.person]]
            needs = rng.sample(list(NEED_NOTES), 1) if rng.random() < 0.1 else []
            living = rng.choice(["hospital", "unreachable"]) if rng.random() < 0.03 else "home"
            health = "unwell" if needs and rng.random() < 0.5 else "stable"
            handled = bool(needs) and rng.random() < (0.5 if check_day == day else 0.85)
            checked_at = datetime.combine(check_day, time(8 + rng.randrange(0, 4), rng.randrange(60)), tzinfo=LOCAL)
            checked_at = min(checked_at, at)
            checks.append(
                DailyCheck(
                    id=uuid.UUID(int=rng.getrandbits(128), version=4), person=entry.person, area=area, check_date=check_day,
                    day_key=f"{entry.person}:{check_day.isoformat()}", living_status=living, health=health, needs=",".join(needs),
                    needs_other=NEED_NOTES[needs[0]] if needs else "", service=rng.choice(SERVICES) if needs else "",
                    contact_method=rng.choice(["phone", "phone", "phone", "video", "door"]),
                    all_well=not needs and living == "home" and health == "stable", checked_at=checked_at,
                    checked_by=workers.get(area), recorded_at=checked_at, client_id="demo",
                    handled_at=min(at, checked_at + timedelta(hours=2)) if handled else None, handled_note="社区已上门送达" if handled else "",
                )
            )
    async with write_transaction(WatchEntry._meta.db):
        if entries:
            await WatchEntry.insert(*entries)
        for start in range(0, len(checks), 500):
            await DailyCheck.insert(*checks[start : start + 500])
    return {"watched": len(entries), "checks": len(checks)}
