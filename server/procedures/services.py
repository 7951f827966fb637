"""Which procedure is in force where and when; declaring and ending emergency periods.

The emergency (simplified) procedure is declared by a district officer for their own district,
with start and (optionally) end dates: non-contact evidence is accepted, the street's approval is
final and the district spot-checks a configurable share (at least 30% for 特困), periodic reviews
are postponed and exits suspended.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import date

from server.accounts.current import CurrentUser
from server.accounts.roles import ADMIN, DISTRICT_OFFICER
from server.areas.scope import in_scope
from server.areas.tables import Area
from server.audit.services import record
from server.clock import now, today
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.i18n import N_
from server.procedures.tables import DistrictProcedure, EmergencyPeriod

TEKUN_MIN_PERCENT = 30


def district_path(area_path: str) -> str:
    """The district's path inside any deeper area's path ("city/district/...")."""
    parts = [p for p in area_path.split("/") if p]
    return "/".join(parts[:2]) + "/"


def period_json(row: dict) -> dict:
    return {
        "id": row["id"],
        "district": row.get("district_code"),
        "district_name": row.get("district_name"),
        "starts_on": row["starts_on"].isoformat(),
        "ends_on": row["ends_on"].isoformat() if row["ends_on"] else None,
        "spot_check_percent": row["spot_check_percent"],
        "tekun_spot_check_percent": row["tekun_spot_check_percent"],
        "reason": row["reason"],
    }


_PERIOD_COLUMNS = (
    EmergencyPeriod.all_columns(),
    EmergencyPeriod.area.code.as_alias("district_code"),
    EmergencyPeriod.area.name.as_alias("district_name"),
    EmergencyPeriod.area.path.as_alias("district_path"),
)


async def period_in_force(area_path: str, on: date) -> dict | None:
    """The emergency period covering an area (any level at or below a district) on a day."""
    rows = await EmergencyPeriod.select(*_PERIOD_COLUMNS).where(
        (EmergencyPeriod.area.path == district_path(area_path)) & (EmergencyPeriod.starts_on <= on)
    ).order_by(EmergencyPeriod.starts_on, ascending=False)
    for row in rows:
        if row["ends_on"] is None or row["ends_on"] >= on:
            return row
    return None


async def decision_delegated(area_path: str) -> bool:
    row = await DistrictProcedure.select(DistrictProcedure.decision_delegated).where(
        DistrictProcedure.area.path == district_path(area_path)
    ).first()
    return bool(row and row["decision_delegated"])


async def delegated_district_paths() -> list[str]:
    rows = await DistrictProcedure.select(DistrictProcedure.area.path.as_alias("path")).where(DistrictProcedure.decision_delegated == True)  # noqa: E712
    return [r["path"] for r in rows]


async def procedure_in_force(area_path: str, on: date | None = None) -> dict:
    """What rules apply to a case of this area on this day; stored with each decision."""
    on = on or today()
    period = await period_in_force(area_path, on)
    delegated = await decision_delegated(area_path)
    if period is None:
        return {"procedure": "normal", "delegated": delegated, "on": on.isoformat(), "emergency_period": None}
    return {
        "procedure": "emergency",
        "delegated": delegated,
        "on": on.isoformat(),
        "emergency_period": period["id"],
        "spot_check_percent": period["spot_check_percent"],
        "tekun_spot_check_percent": period["tekun_spot_check_percent"],
        # The emergency rules, spelled out for whoever reads a stored decision later.
        "non_contact_evidence": True,
        "street_final": True,
        "reviews_postponed": True,
        "exits_suspended": True,
    }


async def exits_suspended(area_path: str, on: date | None = None) -> bool:
    """True while an emergency period covers the area: nobody leaves assistance meanwhile."""
    return await period_in_force(area_path, on or today()) is not None


async def reviews_postponed(area_path: str, on: date | None = None) -> bool:
    """True while an emergency period covers the area: periodic reviews wait until it ends."""
    return await period_in_force(area_path, on or today()) is not None


def spot_check_share(rules: dict, case_type: str) -> int:
    if rules["procedure"] != "emergency":
        return 0
    return rules["tekun_spot_check_percent"] if case_type == "tekun" else rules["spot_check_percent"]


def draw_spot_check(percent: int) -> bool:
    """Pick a street approval for the district's spot check with the given probability."""
    return secrets.randbelow(100) < percent


def _percent(value, label: str, minimum: int = 0) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise Invalid(N_("{label}应为 0 到 100 之间的整数", label=label), field="spot_check_percent") from exc
    if not minimum <= number <= 100:
        raise Invalid(N_("{label}应在 {minimum}% 到 100% 之间", label=label, minimum=minimum), field="spot_check_percent")
    return number


def _date(value, field: str, *, required: bool) -> date | None:
    if value in (None, ""):
        if required:
            raise Invalid(N_("请填写日期"), field=field)
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid(N_("日期格式应为 YYYY-MM-DD"), field=field) from exc


async def _district_for(user: CurrentUser, code: str | None) -> dict:
    if user.role not in (DISTRICT_OFFICER, ADMIN):
        raise Forbidden(N_("只有区民政局可以宣布或结束应急简易程序。"))
    code = code or user.area_code
    area = await Area.select().where((Area.code == code) & Area.path.like(f"{user.area_path}%")).first()
    if area is None or area["level"] != "district":
        raise Invalid(N_("应急简易程序按区宣布，请选择一个区。"), field="district")
    return area


async def declare_emergency(user: CurrentUser, data: dict) -> dict:
    """Declare the simplified procedure for the user's district (an admin names the district)."""
    district = await _district_for(user, data.get("district"))
    starts_on = _date(data.get("starts_on"), "starts_on", required=True)
    ends_on = _date(data.get("ends_on"), "ends_on", required=False)
    if ends_on and ends_on < starts_on:
        raise Invalid(N_("结束日期不能早于开始日期"), field="ends_on")
    share = _percent(data.get("spot_check_percent", 30), "抽查比例")
    tekun_share = _percent(data.get("tekun_spot_check_percent", TEKUN_MIN_PERCENT), "特困抽查比例", TEKUN_MIN_PERCENT)
    existing = await EmergencyPeriod.select().where(EmergencyPeriod.area == district["id"])
    for row in existing:
        if (row["ends_on"] is None or row["ends_on"] >= starts_on) and (ends_on is None or row["starts_on"] <= ends_on):
            raise Conflict(N_("该区在这段时间已有应急简易程序，请先结束或调整现有的应急期。"), field="starts_on")
    period = EmergencyPeriod(
        area=district["id"],
        starts_on=starts_on,
        ends_on=ends_on,
        spot_check_percent=share,
        tekun_spot_check_percent=tekun_share,
        reason=str(data.get("reason") or "")[:1000],
        declared_by=user.id,
        declared_at=now(),
    )
    await period.save()
    row = await EmergencyPeriod.select(*_PERIOD_COLUMNS).where(EmergencyPeriod.id == period.id).first()
    await record(user, "emergency.declare", "district", district["code"], period_json(row))
    return period_json(row)


async def end_emergency(user: CurrentUser, period_id: int, ends_on_value=None) -> dict:
    """End an emergency period on a day (today by default)."""
    if user.role not in (DISTRICT_OFFICER, ADMIN):
        raise Forbidden(N_("只有区民政局可以宣布或结束应急简易程序。"))
    row = await EmergencyPeriod.select(*_PERIOD_COLUMNS).where((EmergencyPeriod.id == period_id) & in_scope(user, EmergencyPeriod.area)).first()
    if row is None:
        raise NotFound()
    ends_on = _date(ends_on_value, "ends_on", required=False) or today()
    if ends_on < row["starts_on"]:
        raise Invalid(N_("结束日期不能早于开始日期"), field="ends_on")
    await EmergencyPeriod.update({EmergencyPeriod.ends_on: ends_on, EmergencyPeriod.ended_by: user.id, EmergencyPeriod.ended_at: now()}).where(
        EmergencyPeriod.id == period_id
    )
    row["ends_on"] = ends_on
    await record(user, "emergency.end", "district", row["district_code"], period_json(row))
    for listener in _EMERGENCY_END_LISTENERS:
        await listener(user, period_json(row))
    return period_json(row)


async def list_periods(user: CurrentUser) -> list[dict]:
    """Emergency periods of the districts above or inside the user's area, newest first."""
    rows = await EmergencyPeriod.select(*_PERIOD_COLUMNS).order_by(EmergencyPeriod.starts_on, ascending=False)
    return [period_json(r) for r in rows if r["district_path"].startswith(user.area_path) or user.area_path.startswith(r["district_path"])]


async def set_delegation(user: CurrentUser, delegated: bool) -> None:
    """A district officer records whether their district delegates decisions to the streets."""
    district = await _district_for(user, None)
    await DistrictProcedure.delete().where(DistrictProcedure.area == district["id"])
    await DistrictProcedure.insert(DistrictProcedure(area=district["id"], decision_delegated=delegated, updated_by=user.id, updated_at=now()))
    await record(user, "procedure.delegation", "district", district["code"], {"decision_delegated": delegated})


# ------------------------------------------------------------------ hook points for issue 8

Listener = Callable[..., Awaitable[object]]
_SIGNATURE_LISTENERS: list[Listener] = []
_EMERGENCY_END_LISTENERS: list[Listener] = []


def on_signature_obligations(listener: Listener) -> Listener:
    """Register `listener(case, decision) -> list` (deferred paperwork plugs in here)."""
    _SIGNATURE_LISTENERS.append(listener)
    return listener


def on_emergency_end(listener: Listener) -> Listener:
    """Register `listener(user, period)`: called when a district ends an emergency period."""
    _EMERGENCY_END_LISTENERS.append(listener)
    return listener


async def open_signature_obligations(case: dict, decision: dict) -> list:
    """The signatures a decision taken without contact leaves to collect later.

    Called for every decision made under the emergency procedure, inside its transaction. The
    deferred-paperwork work registers listeners with `on_signature_obligations`; until then no
    obligation is recorded and this answers an empty list.
    """
    opened: list = []
    for listener in _SIGNATURE_LISTENERS:
        opened.extend(await listener(case, decision) or [])
    return opened
