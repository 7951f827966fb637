"""Dashboards for streets and districts, and the upward report as a printable page and XLSX."""

from __future__ import annotations

from datetime import date

from litestar import Controller, Request, Response, get
from litestar.params import FromQuery
from litestar.response import Template

from server.accounts.guards import requires_supervisor
from server.cases.kinds import CASE_TYPES, STATUSES
from server.clock import today
from server.dailycheck.schemas import CONTACT, HEALTH, LIVING, NEEDS
from server.dashboards import chart, report, services
from server.errors import Invalid
from server.i18n import N_
from server.watch.services import REASONS


def day_of(value: str | None) -> date:
    """The day asked for (?date=YYYY-MM-DD), today by default; never a future day."""
    if not value:
        return today()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise Invalid(N_("日期格式不正确，应为 YYYY-MM-DD"), field="date") from None
    if day > today():
        raise Invalid(N_("不能查看未来的日期"), field="date")
    return day


class DashboardController(Controller):
    path = "/dashboards"
    guards = [requires_supervisor]

    @get("/", name="dashboard")
    async def dashboard(self, request: Request, area: FromQuery[str | None] = None, date: FromQuery[str | None] = None) -> Template:
        """The day's picture of the user's area (or a street or district inside it)."""
        data = await services.dashboard(request.user, area, day_of(date))
        context = {
            "user": request.user, **data, "chart": chart.bars(data["history"]), "today": today(),
            "LIVING": LIVING, "HEALTH": HEALTH, "NEEDS": NEEDS, "CONTACT": CONTACT, "REASONS": REASONS,
            "CASE_TYPES": CASE_TYPES, "STATUSES": STATUSES,
        }
        return Template("dashboards/index.html", context=context, headers={"Vary": "HX-Request"})

    @get("/report", name="upward_report")
    async def printable(self, request: Request, area: FromQuery[str | None] = None, date: FromQuery[str | None] = None) -> Template:
        """The day's upward report as a printable page."""
        data = await report.build(request.user, area, day_of(date))
        return Template("dashboards/report.html", context={"user": request.user, "report": data})

    @get("/report.xlsx", name="upward_report_xlsx")
    async def xlsx(self, request: Request, area: FromQuery[str | None] = None, date: FromQuery[str | None] = None) -> Response:
        """The day's upward report as an XLSX file."""
        data = await report.build(request.user, area, day_of(date))
        return Response(
            report.workbook(data),
            media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            headers={"Content-Disposition": f'attachment; filename="{report.filename(data)}"', "Cache-Control": "no-store"},
        )
