"""Recording daily checks (the `dailycheck.record` mutation), marking needs as handled, and the
checks the phone receives through the pull.

One check per person and day. The rule for a second check of the same person on the same day:
the check made later (by `checked_at`, the worker's own time) holds the day's answers, whichever
reached the server first; an earlier check arriving afterwards is counted (`checks`) but changes
nothing. The same check sent again (same id, same time) changes nothing either.
"""

from __future__ import annotations

import uuid
from uuid import UUID
from datetime import datetime, timedelta

from server.accounts.current import CurrentUser
from server.areas.scope import in_scope
from server.audit.services import record
from server.clock import local_date, now, today
from server.dailycheck.schemas import CONTACT, HEALTH, LIVING, NEEDS
from server.dailycheck.tables import DailyCheck
from server.errors import Invalid, NotFound
from server.i18n import N_
from server.validation import rules
from server.watch.services import roster
from server.watch.tables import WatchEntry
from sync import feed

KIND = "dailycheck"
# How far back the phone keeps checks: today's, and yesterday's for a worker starting early.
PHONE_DAYS = 2
TRUE = (True, "true", "1", "on", "yes")


def _when(value, received_at: datetime) -> datetime:
    if value in (None, ""):
        return received_at
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        raise Invalid(N_("检查时间格式不正确，应为 ISO 8601 并带时区"), field="checked_at") from None
    if at.tzinfo is None:
        raise Invalid(N_("检查时间须带时区（如 +08:00）"), field="checked_at")
    if at > received_at + timedelta(hours=1):
        raise Invalid(N_("检查时间晚于服务器当前时间，请核对手机时钟"), field="checked_at")
    return at


def _needs(value) -> list[str]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    codes = [str(v).strip() for v in items if str(v).strip()]
    for code in codes:
        rules.choice(code, "needs", tuple(NEEDS), label="需求")
    return sorted(set(codes), key=list(NEEDS).index)


def clean_check(args: dict, received_at: datetime) -> dict:
    """The answers of one check, validated. "All well" fills in 居家正常 / 平稳 / no needs."""
    checked_at = _when(args.get("checked_at"), received_at)
    check_date = rules.day(args.get("date"), "date", required=False) or local_date(checked_at)
    if check_date > today() or check_date < today() - timedelta(days=31):
        raise Invalid(N_("检查日期应在最近一个月内，且不晚于今天"), field="date")
    all_well = args.get("all_well", False) in TRUE
    needs = _needs(args.get("needs"))
    living = args.get("living_status") or ("home" if all_well else None)
    health = args.get("health") or ("stable" if all_well else None)
    values = {
        "check_date": check_date,
        "checked_at": checked_at,
        "living_status": rules.choice(living, "living_status", LIVING, label="生活状况"),
        "health": rules.choice(health, "health", HEALTH, label="健康状况"),
        "needs": needs,
        "needs_other": rules.text(args.get("needs_other"), "needs_other", required="other" in needs, max_length=500, label=N_("其他需求")),
        "service": rules.text(args.get("service"), "service", required=False, max_length=500, label="今日服务"),
        "contact_method": rules.choice(args.get("contact_method") or None, "contact_method", CONTACT, label="联系方式"),
    }
    normal = values["living_status"] == "home" and values["health"] == "stable" and not needs
    if all_well and not normal:
        raise Invalid(N_("选择“全部正常”时不能同时填写异常情况或需求"), field="all_well")
    values["all_well"] = normal
    return values


async def watched_person(user: CurrentUser, person_id: uuid.UUID) -> dict:
    """The person's roster entry (active, or removed: a check made before removal still counts)."""
    row = await WatchEntry.select(
        WatchEntry.person.household.area.id.as_alias("area_id"), WatchEntry.person.household.area.path.as_alias("area_path"), WatchEntry.active
    ).where((WatchEntry.person == person_id) & in_scope(user, WatchEntry.person.household.area)).order_by(WatchEntry.active, ascending=False).first()
    if row is None:
        raise NotFound(N_("该人员不在您管辖范围内的每日关注名单中"), field="person_id")
    return row


def _columns(values: dict) -> dict:
    return {
        DailyCheck.living_status: values["living_status"],
        DailyCheck.health: values["health"],
        DailyCheck.needs: ",".join(values["needs"]),
        DailyCheck.needs_other: values["needs_other"],
        DailyCheck.service: values["service"],
        DailyCheck.contact_method: values["contact_method"],
        DailyCheck.all_well: values["all_well"],
        DailyCheck.checked_at: values["checked_at"],
    }


async def record_check(user: CurrentUser, args: dict, *, client_id: str = "", received_at: datetime | None = None) -> dict:
    """Record one check; answers {id, person_id, date, outcome} with outcome recorded, replaced,
    kept_later (a later check of that day holds) or unchanged (the same check again)."""
    received_at = received_at or now()
    check_id = rules.uuid_value(args.get("id"), "id")
    person_id = rules.uuid_value(args.get("person_id"), "person_id")
    values = clean_check(args, received_at)
    person = await watched_person(user, person_id)
    day_key = f"{person_id}:{values['check_date'].isoformat()}"
    existing = await DailyCheck.select().where(DailyCheck.day_key == day_key).first()
    answer = {"person_id": str(person_id), "date": values["check_date"].isoformat()}
    if existing is None:
        if await DailyCheck.exists().where(DailyCheck.id == check_id):
            raise Invalid(N_("该记录编号已用于另一人或另一天的检查"), field="id")
        await DailyCheck.insert(
            DailyCheck(
                id=check_id, person=person_id, area=person["area_id"], check_date=values["check_date"], day_key=day_key,
                checked_by=user.id, recorded_at=received_at, client_id=client_id, **{c._meta.name: v for c, v in _columns(values).items()},
            )
        )
        await feed.touch(KIND, str(check_id), person["area_path"], new=True)
        return {"id": str(check_id), **answer, "outcome": "recorded"}
    row_id = existing["id"]
    if existing["id"] == check_id and existing["checked_at"] == values["checked_at"]:
        return {"id": str(row_id), **answer, "outcome": "unchanged"}
    changes: dict = {DailyCheck.checks: DailyCheck.checks + 1, DailyCheck.recorded_at: received_at}
    outcome = "kept_later"
    if values["checked_at"] >= existing["checked_at"]:
        outcome = "replaced"
        changes |= _columns(values) | {DailyCheck.checked_by: user.id, DailyCheck.client_id: client_id, DailyCheck.area: person["area_id"]}
        changes[DailyCheck.version] = DailyCheck.version + 1
        if ",".join(values["needs"]) != existing["needs"]:  # new needs: nobody has acted on them yet
            changes |= {DailyCheck.handled_by: None, DailyCheck.handled_at: None, DailyCheck.handled_note: ""}
    await DailyCheck.update(changes).where(DailyCheck.id == row_id)
    await feed.touch(KIND, str(row_id), person["area_path"])
    return {"id": str(row_id), **answer, "outcome": outcome}


async def mark_handled(user: CurrentUser, check_id, note: str) -> dict:
    """A supervisor records that someone acted on the needs a check flagged."""
    check_id = rules.uuid_value(check_id, "id")
    note = rules.text(note, "note", max_length=500, label="处理情况")
    row = await DailyCheck.select(DailyCheck.id, DailyCheck.needs, DailyCheck.area.path.as_alias("area_path")).where(
        (DailyCheck.id == check_id) & in_scope(user, DailyCheck.area)
    ).first()
    if row is None:
        raise NotFound()
    if not row["needs"]:
        raise Invalid(N_("这条检查没有登记需求，无需处理"), field="id")
    at = now()
    await DailyCheck.update(
        {DailyCheck.handled_by: user.id, DailyCheck.handled_at: at, DailyCheck.handled_note: note, DailyCheck.version: DailyCheck.version + 1}
    ).where(DailyCheck.id == check_id)
    await feed.touch(KIND, str(check_id), row["area_path"])
    await record(user, "dailycheck.handled", "daily_check", str(check_id), {"note": note})
    return {"id": str(check_id), "handled_at": at.isoformat()}


def check_record(row: dict) -> dict:
    """A check as the phone receives it."""
    return {
        "kind": KIND,
        "id": str(row["id"]),
        "person_id": str(row["person"]),
        "date": row["check_date"].isoformat(),
        "living_status": row["living_status"],
        "health": row["health"],
        "needs": [n for n in row["needs"].split(",") if n],
        "needs_other": row["needs_other"],
        "service": row["service"],
        "contact_method": row["contact_method"],
        "all_well": row["all_well"],
        "checked_at": row["checked_at"].isoformat(),
        "checked_by": row.get("checked_by_name") or "",
        "handled": row["handled_at"] is not None,
        "version": row["version"],
    }


async def load_checks(user: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: the recent checks among `ids` in the user's scope (older ones are dropped)."""
    keys = rules.uuid_keys(ids)
    if not keys:
        return {}
    since = today() - timedelta(days=PHONE_DAYS - 1)
    rows = await DailyCheck.select(DailyCheck.all_columns(), DailyCheck.checked_by.display_name.as_alias("checked_by_name")).where(
        DailyCheck.id.is_in(keys) & in_scope(user, DailyCheck.area) & (DailyCheck.check_date >= since)
    )
    return {str(row["id"]): check_record(row) for row in rows}


async def list_recent() -> list[tuple[str, str]]:
    """For the feed's backfill: (id, area path) of the checks the phone keeps."""
    since = today() - timedelta(days=PHONE_DAYS - 1)
    rows = await DailyCheck.select(DailyCheck.id, DailyCheck.area.path.as_alias("path")).where(DailyCheck.check_date >= since)
    return [(str(r["id"]), r["path"]) for r in rows]


async def phone_roster(user: CurrentUser) -> list[dict]:
    """The roster in the user's scope with today's check of each person; not yet checked first."""
    people = await roster(user)
    day = today()
    checks = {}
    if people:
        rows = await DailyCheck.select(DailyCheck.all_columns()).where(
            (DailyCheck.check_date == day) & DailyCheck.person.is_in([p["person_id"] for p in people]) & in_scope(user, DailyCheck.area)
        )
        checks = {row["person"]: check_record(row) for row in rows}
    for person in people:
        person["person_id"] = str(person["person_id"])
        person["check"] = checks.get(UUID(person["person_id"]))
    people.sort(key=lambda p: p["check"] is not None)  # stable: keeps community and name order
    return people
