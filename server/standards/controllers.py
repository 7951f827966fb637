"""Standards over JSON (read by anyone signed in, written by admins) and the admin page."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Template

from server.accounts.guards import requires_admin, requires_user
from server.areas.scope import areas_in_scope
from server.clock import today
from server.errors import AppError
from server.standards import services
from server.validation import rules
from server.validation.params import RowId
from server.openapi import answers, json_body
from server.standards.schemas import Standard, StandardIn, StandardList, StandardUpdate

FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class StandardApiController(Controller):
    path = "/api/standards"
    guards = [requires_user]

    @get("/", name="api_standards", responses=answers(StandardList))
    async def index(self, request: Request) -> dict:
        """The standards that apply to the user's area or lie within it."""
        return {"standards": [services.as_json(r) for r in await services.list_standards(request.user)]}

    @get("/effective", name="api_standard_effective", responses=answers(Standard))
    async def effective(self, request: Request, area: FromQuery[str], on: FromQuery[str | None] = None) -> dict:
        """The standard in force for an area (code) on a date (by default today, as the bureau counts days)."""
        day = rules.day(on, "on", required=False) or today()
        return services.as_json(await services.effective_for_code(request.user, area, day))

    @get("/{standard_id:int}", name="api_standard", responses=answers(Standard))
    async def show(self, request: Request, standard_id: FromPath[RowId]) -> dict:
        """One standard."""
        return services.as_json(await services.get_standard(request.user, standard_id))

    @post("/", name="api_standard_create", guards=[requires_admin], responses=answers(Standard, 201))
    async def create(self, request: Request, data: Annotated[dict[str, Any], json_body(StandardIn)]) -> dict:
        """Add a standard for an area from a date."""
        return services.as_json(await services.create_standard(request.user, data))

    @put("/{standard_id:int}", name="api_standard_update", guards=[requires_admin], responses=answers(Standard))
    async def update(self, request: Request, standard_id: FromPath[RowId], data: Annotated[dict[str, Any], json_body(StandardUpdate)]) -> dict:
        """Change a standard's figures; `base_version` is the version the admin saw."""
        return services.as_json(await services.update_standard(request.user, standard_id, data))


class StandardPageController(Controller):
    path = "/casework/standards"
    guards = [requires_admin]

    async def _page(self, request: Request, *, error: AppError | None = None, form: dict | None = None, status_code: int = 200) -> Template:
        rows = [services.as_json(r) for r in await services.list_standards(request.user)]
        context = {
            "user": request.user,
            "standards": rows,
            "areas": await areas_in_scope(request.user, ("city", "district", "street")),
            "error": error,
            "form": form or {},
            "money_fields": services.MONEY_FIELDS,
            "multiple_fields": services.MULTIPLE_FIELDS,
            "month_fields": services.MONTH_FIELDS,
        }
        name = "casework/standards_list.html" if request.headers.get("hx-request") == "true" else "casework/standards.html"
        return Template(name, context=context, status_code=status_code, headers={"Vary": "HX-Request"})

    @get("/", name="standards_page")
    async def index(self, request: Request) -> Template:
        """The standards and a form to add one."""
        return await self._page(request)

    @post("/", name="standards_create", status_code=200)
    async def create(self, request: Request, data: FormBody) -> Template:
        """Add a standard from the form; errors are shown next to their field."""
        # A field left empty takes its default, as when a JSON client leaves it out.
        values: dict[str, Any] = {k: v for k, v in data.items() if k != "_csrf_token" and v.strip() != ""}
        values["is_example"] = values.get("is_example") == "on"
        try:
            await services.create_standard(request.user, values)
        except AppError as error:
            if error.status_code not in (400, 404, 409):
                raise
            # htmx swaps only 2xx answers: the form with its errors comes back as 200 to HTMX
            # (boosted posts included), with the error's own status to a plain form post.
            htmx = request.headers.get("hx-request") == "true"
            return await self._page(request, error=error, form=data, status_code=200 if htmx else error.status_code)
        return await self._page(request)

