"""The day's picture of a street or district: completion per community, people not checked,
needs flagged and whether someone acted, the last 14 days, cases, referrals, paperwork."""

from __future__ import annotations

from datetime import date, timedelta

from server.accounts.current import CurrentUser
from server.areas.scope import area_in_scope
from server.areas.tables import Area
from server.cases.kinds import CASE_TYPES, STATUSES
from server.cases.tables import Case
from server.clock import end_of, last_days
from server.dailycheck.schemas import is_exception
from server.dailycheck.tables import DailyCheck
from server.dashboards import optional
from server.errors import NotFound
from server.i18n import N_
from server.watch.services import entries_between, reasons_of

LEVELS = ("city", "district", "street")
CHART_DAYS = 14


async def area_for_dashboard(user: CurrentUser, code: str | None) -> dict:
    """A city, district or street inside the user's scope (their own area by default)."""
    code = code or user.area_code
    area = await Area.select().where(Area.code == code).first()
    if area is None or area["level"] not in LEVELS or not area_in_scope(user, area["path"]):
        raise NotFound(N_("找不到该区域，或不在您的管辖范围内。"))
    area["full_name"] = await full_name(area["path"])
    return area


async def full_name(path: str) -> str:
    """"广州市天河区石牌街道" from the chain of codes in an area's path."""
    codes = [c for c in path.split("/") if c]
    names = {r["code"]: r["name"] for r in await Area.select(Area.code, Area.name).where(Area.code.is_in(codes))}
    return "".join(names.get(c, "") for c in codes)


async def children(area: dict) -> list[dict]:
    """The areas one level below, for drilling down (a street's communities are its rows)."""
    return await Area.select(Area.code, Area.name, Area.level).where(Area.parent == area["id"]).order_by(Area.path)


def on_roster(entry: dict, day: date) -> bool:
    """On the roster of `day`: added before that day ended, and not removed before it ended."""
    end = end_of(day)
    return entry["added_at"] < end and (entry["removed_at"] is None or entry["removed_at"] >= end)


async def _checks(area_path: str, first: date, last: date) -> list[dict]:
    rows = await DailyCheck.select(
        DailyCheck.all_columns(),
        DailyCheck.person.name.as_alias("name"),
        DailyCheck.area.code.as_alias("area_code"),
        DailyCheck.area.name.as_alias("area_name"),
        DailyCheck.checked_by.display_name.as_alias("checked_by_name"),
        DailyCheck.handled_by.display_name.as_alias("handled_by_name"),
    ).where(DailyCheck.area.path.like(f"{area_path}%") & (DailyCheck.check_date >= first) & (DailyCheck.check_date <= last))
    for row in rows:
        row["needs"] = [n for n in row["needs"].split(",") if n]
    return rows


async def day_picture(area: dict, day: date) -> dict:
    """Everything the dashboard and the upward report show for one area and day."""
    communities = await Area.select(Area.code, Area.name, Area.path).where(
        Area.path.like(f"{area['path']}%") & (Area.level == "community")
    ).order_by(Area.path)
    entries = await entries_between(area["path"])
    # Above a street, a community is named with its street: 石牌街道·华师社区.
    streets = {}
    if area["level"] != "street":
        streets = {r["code"]: r["name"] for r in await Area.select(Area.code, Area.name).where(Area.path.like(f"{area['path']}%") & (Area.level == "street"))}
    days = last_days(day, CHART_DAYS)
    checks = await _checks(area["path"], days[0], day)
    by_day: dict[date, dict] = {}
    for check in checks:
        by_day.setdefault(check["check_date"], {})[check["person"]] = check
    roster = [e for e in entries if on_roster(e, day)]
    today_checks = by_day.get(day, {})
    rows = []
    for community in communities:
        people = [e for e in roster if e["area_code"] == community["code"]]
        checked = [e for e in people if e["person_id"] in today_checks]
        flagged = [today_checks[e["person_id"]] for e in checked if today_checks[e["person_id"]]["needs"]]
        rows.append({
            "code": community["code"], "name": community["name"], "roster": len(people), "checked": len(checked),
            "unchecked": len(people) - len(checked), "needs": len(flagged), "handled": sum(1 for c in flagged if c["handled_at"]),
        })
    totals = {key: sum(r[key] for r in rows) for key in ("roster", "checked", "unchecked", "needs", "handled")}
    for row in [*rows, totals]:
        row["rate"] = round(100 * row["checked"] / row["roster"]) if row["roster"] else None
    names = {c["code"]: c["name"] for c in communities}
    for row, community in zip(rows, communities):
        street = streets.get(community["path"].split("/")[2]) if streets else None
        row["label"] = f"{street}·{community['name']}" if street else community["name"]
    unchecked = [e | {"reasons": reasons_of(e["reasons"])} for e in roster if e["person_id"] not in today_checks]
    roster_ids = {e["person_id"] for e in roster}
    on_day = [c for c in today_checks.values() if c["person"] in roster_ids]
    earlier = [c for c in checks if c["check_date"] < day and c["needs"] and c["handled_at"] is None]
    reasons: dict[str, int] = {}
    for e in roster:
        for code in reasons_of(e["reasons"]):
            reasons[code] = reasons.get(code, 0) + 1
    contact: dict[str, int] = {}
    for c in on_day:
        contact[c["contact_method"]] = contact.get(c["contact_method"], 0) + 1
    history = []
    for d in days:
        people = {e["person_id"] for e in entries if on_roster(e, d)}
        done = len(people & set(by_day.get(d, {})))
        history.append({"day": d, "roster": len(people), "checked": done, "rate": round(100 * done / len(people)) if people else None})
    return {
        "area": area, "day": day, "communities": rows, "totals": totals, "community_names": names,
        "unchecked": sorted(unchecked, key=lambda e: (e["area_code"], e["name"])),
        "needs": sorted((c for c in on_day if c["needs"]), key=lambda c: (c["handled_at"] is not None, c["area_code"], c["name"])),
        "earlier_needs": sorted(earlier, key=lambda c: (c["check_date"], c["area_code"], c["name"])),
        "exceptions": sorted((c for c in on_day if is_exception(c)), key=lambda c: (c["area_code"], c["name"])),
        "reasons": reasons, "contact": contact, "history": history,
    }


async def case_counts(area: dict) -> dict:
    """Cases inside the area by type and status: {"rows": [{type, counts{status: n}, total}], "statuses": [...]}."""
    rows = await Case.select(Case.type, Case.status).where(Case.area.path.like(f"{area['path']}%"))
    counts: dict[str, dict[str, int]] = {}
    for row in rows:
        by_status = counts.setdefault(row["type"], {})
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    statuses = [s for s in STATUSES if any(s in c for c in counts.values())]
    statuses += sorted({s for c in counts.values() for s in c} - set(statuses))
    order = [t for t in CASE_TYPES if t in counts] + sorted(set(counts) - set(CASE_TYPES))
    table = [{"type": t, "counts": counts[t], "total": sum(counts[t].values())} for t in order]
    column_totals = {s: sum(c.get(s, 0) for c in counts.values()) for s in statuses}
    return {"rows": table, "statuses": statuses, "totals": column_totals, "total": len(rows)}


async def dashboard(user: CurrentUser, code: str | None, day: date) -> dict:
    area = await area_for_dashboard(user, code)
    picture = await day_picture(area, day)
    return {
        **picture,
        "children": await children(area),
        "cases": await case_counts(area),
        "referrals": await optional.open_referrals(area["path"], day),
        "paperwork": await optional.open_paperwork(area["path"]),
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
    }
