"""Emergency periods and delegation: a page for district officers, and the same as JSON."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from server.accounts.guards import requires_district, requires_supervisor
from server.procedures import services
from server.validation.params import RowId
from server.openapi import answers, json_body
from server.procedures.schemas import Delegation, DelegationIn, EmergencyEndIn, EmergencyIn, EmergencyPeriod, EmergencyPeriodList


class ProceduresController(Controller):
    path = "/review/procedures"
    guards = [requires_supervisor]

    @get("/", name="procedures_page")
    async def page(self, request: Request) -> Template:
        """The emergency periods that concern the user, and (for district officers) the forms."""
        rules = await services.procedure_in_force(request.user.area_path) if request.user.area_path.count("/") >= 2 else None
        return Template("review/procedures.html", context={
            "user": request.user, "periods": await services.list_periods(request.user), "rules": rules, "today": services.today(),
        })

    @post("/emergency", name="procedures_declare", guards=[requires_district])
    async def declare(self, request: Request) -> Redirect:
        """Declare the simplified procedure for the user's district (form post)."""
        await services.declare_emergency(request.user, dict(await request.form()))
        return Redirect("/review/procedures", status_code=303)

    @post("/emergency/{period_id:int}/end", name="procedures_end", guards=[requires_district])
    async def end(self, request: Request, period_id: FromPath[RowId]) -> Redirect:
        """End an emergency period (form post)."""
        form = await request.form()
        await services.end_emergency(request.user, period_id, form.get("ends_on"))
        return Redirect("/review/procedures", status_code=303)


class ProceduresApiController(Controller):
    path = "/api/procedures"
    guards = [requires_supervisor]

    @get("/emergency", name="api_emergency_list", responses=answers(EmergencyPeriodList))
    async def periods(self, request: Request) -> dict[str, Any]:
        """Emergency periods that concern the user."""
        return {"periods": await services.list_periods(request.user)}

    @post("/emergency", name="api_emergency_declare", guards=[requires_district], status_code=201, responses=answers(EmergencyPeriod, 201))
    async def declare(self, request: Request, data: Annotated[dict[str, Any], json_body(EmergencyIn)]) -> dict[str, Any]:
        """Declare: {starts_on, ends_on?, spot_check_percent?, tekun_spot_check_percent?, reason?, district? (admins)}."""
        return await services.declare_emergency(request.user, data)

    @post("/emergency/{period_id:int}/end", name="api_emergency_end", guards=[requires_district], status_code=200, responses=answers(EmergencyPeriod))
    async def end(self, request: Request, period_id: FromPath[RowId], data: Annotated[dict[str, Any] | None, json_body(EmergencyEndIn)] = None) -> dict[str, Any]:
        """End a period: {ends_on?} (today by default)."""
        return await services.end_emergency(request.user, period_id, (data or {}).get("ends_on"))

    @post("/delegation", name="api_delegation", guards=[requires_district], status_code=200, responses=answers(Delegation))
    async def delegation(self, request: Request, data: Annotated[dict[str, Any], json_body(DelegationIn)]) -> dict[str, Any]:
        """Record whether the district delegates decisions to its streets: {decision_delegated: bool}."""
        await services.set_delegation(request.user, bool(data.get("decision_delegated")))
        return {"decision_delegated": bool(data.get("decision_delegated"))}
