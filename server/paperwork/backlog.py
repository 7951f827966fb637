"""The backlog for supervisors and district officers: open obligations by community and worker,
overdue ones, progress since the emergency ended (an SVG chart drawn on the server), exports."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from server import clock
from server.accounts.current import CurrentUser
from server.areas.scope import in_scope
from server.audit.services import record
from server.charts import Bar, Frame, bar_chart
from server.i18n import N_
from server.paperwork.kinds import DOCUMENTS, OPEN, STATUSES
from server.paperwork.tables import Obligation
from server.procedures.tables import EmergencyPeriod
from server.review.exports import FORMATS, to_csv, to_xlsx

MAX_CHART_DAYS = 120
FRAME = Frame(width=640, height=220, top=16, bottom=28)


async def _rows(user: CurrentUser) -> list[dict]:
    return await Obligation.select(
        Obligation.id, Obligation.kind, Obligation.status, Obligation.due_on, Obligation.created_at, Obligation.signed_at,
        Obligation.waived_at, Obligation.waive_reason, Obligation.snapshot, Obligation.case, Obligation.signers,
        Obligation.area.code.as_alias("community_code"), Obligation.area.name.as_alias("community"),
        Obligation.area.path.as_alias("area_path"), Obligation.responsible.display_name.as_alias("worker"),
    ).where(in_scope(user, Obligation.area)).output(load_json=True)


def _closed_on(row: dict) -> date | None:
    moment = row["signed_at"] or row["waived_at"]
    return clock.local_date(moment) if moment else None


def _overdue(row: dict, today: date) -> bool:
    return row["status"] == OPEN and row["due_on"] is not None and row["due_on"] < today


async def _last_ended_period(user: CurrentUser) -> dict | None:
    """The most recently ended emergency of the user's district (or of a district inside their area)."""
    rows = await EmergencyPeriod.select(EmergencyPeriod.all_columns(), EmergencyPeriod.area.path.as_alias("path")).where(
        EmergencyPeriod.ends_on.is_not_null()
    ).order_by(EmergencyPeriod.ends_on, ascending=False)
    for row in rows:
        if row["path"].startswith(user.area_path) or user.area_path.startswith(row["path"]):
            return row
    return None


def progress(rows: list[dict], period: dict | None, today: date) -> list[dict]:
    """Open obligations of the period's district at the end of each day since the emergency ended."""
    if period is None or period["ends_on"] > today:
        return []
    start = max(period["ends_on"], today - timedelta(days=MAX_CHART_DAYS - 1))
    mine = [r for r in rows if r["area_path"].startswith(period["path"])]
    series = []
    day = start
    while day <= today:
        still_open = sum(
            1 for r in mine if clock.local_date(r["created_at"]) <= day and ((closed := _closed_on(r)) is None or closed > day)
        )
        series.append({"day": day, "open": still_open})
        day += timedelta(days=1)
    return series


def chart(series: list[dict]) -> dict | None:
    """Bars of the open count per day (server.charts), with a grid at 0, half and the peak."""
    if not series:
        return None
    peak = max(max(p["open"] for p in series), 1)
    every = 1 if len(series) <= 16 else max(len(series) // 8, 1)  # a label under every bar would not fit
    bars = [
        Bar(
            share=point["open"] / peak,
            label=point["day"].strftime("%m-%d") if i % every == 0 else "",
            title=f"{point['day'].isoformat()} · {point['open']}",
            data={"day": point["day"].isoformat(), "open": point["open"]},
        )
        for i, point in enumerate(series)
    ]
    return bar_chart(bars, FRAME, grid=[(share, str(round(peak * share))) for share in (0, 0.5, 1)])


async def backlog(user: CurrentUser) -> dict:
    today = clock.today()
    rows = await _rows(user)
    communities: dict[str, dict] = {}
    workers: dict[str, dict] = {}
    for row in rows:
        c = communities.setdefault(row["community_code"], {"code": row["community_code"], "name": row["community"], **{k: 0 for k in ("open", "overdue", "signed", "waived")}})
        w = workers.setdefault(row["worker"] or "", {"name": row["worker"] or "", "open": 0, "overdue": 0})
        c[{"pending": "open"}.get(row["status"], row["status"])] += 1
        if row["status"] == OPEN:
            w["open"] += 1
        if _overdue(row, today):
            c["overdue"] += 1
            w["overdue"] += 1
    period = await _last_ended_period(user)
    series = progress(rows, period, today)
    statuses = Counter(r["status"] for r in rows)
    overdue = sorted((r for r in rows if _overdue(r, today)), key=lambda r: (r["due_on"], r["community_code"]))
    return {
        "today": today,
        "totals": {"all": len(rows), "open": statuses[OPEN], "signed": statuses["signed"], "waived": statuses["waived"], "overdue": len(overdue)},
        "communities": sorted(communities.values(), key=lambda c: c["code"]),
        "workers": sorted((w for w in workers.values() if w["open"]), key=lambda w: (-w["open"], w["name"])),
        "overdue": [{**r, "title": DOCUMENTS[r["kind"]], "applicant": (r["snapshot"].get("applicant") or {}).get("name", ""),
                     "address": r["snapshot"]["household"]["address"]} for r in overdue],
        "period": period,
        "series": series,
        "chart": chart(series),
    }


async def export(user: CurrentUser, fmt: str) -> tuple[bytes, str, str]:
    """Every obligation in scope, one line each; audited."""
    from server.errors import Invalid

    if fmt not in FORMATS:
        raise Invalid(N_("导出格式应为 csv 或 xlsx"), field="format")
    today = clock.today()
    header = ["社区", "地址", "申请人", "文书", "签署人", "状态", "免签理由", "补签期限", "是否逾期", "负责网格员", "案件编号"]
    rows = []
    for r in sorted(await _rows(user), key=lambda r: (r["community_code"], r["snapshot"]["household"]["address"], r["kind"])):
        rows.append([
            r["community"], r["snapshot"]["household"]["address"], (r["snapshot"].get("applicant") or {}).get("name", ""),
            DOCUMENTS[r["kind"]], "、".join(s["name"] for s in r["signers"]), STATUSES[r["status"]], r["waive_reason"], r["due_on"].isoformat() if r["due_on"] else "",
            "是" if _overdue(r, today) else "否", r["worker"] or "", str(r["case"]),
        ])
    content = to_csv(header, rows) if fmt == "csv" else to_xlsx("补签文书", header, rows)
    await record(user, "export.paperwork", "export", "paperwork", {"format": fmt, "rows": len(rows), "scope": user.area_code})
    return content, FORMATS[fmt], f"doorstep-paperwork-{user.area_code}.{fmt}"
