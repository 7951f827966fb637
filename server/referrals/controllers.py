"""Organisations and referrals over JSON, and the organisations admin page."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Template

from server.accounts.guards import requires_district, requires_user
from server.audit.services import record
from server.areas.scope import areas_in_scope
from server.errors import AppError
from server.referrals import organisations, services
from server.validation.params import RowId
from server.openapi import answers, json_body
from server.referrals.schemas import (
    Organisation, OrganisationIn, OrganisationList, OrganisationUpdate, Referral, ReferralChanged, ReferralIn, ReferralList, ReferralStatusIn,
)

FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class OrganisationApiController(Controller):
    path = "/api/organisations"
    guards = [requires_user]

    @get("/", name="api_organisations", responses=answers(OrganisationList))
    async def index(self, request: Request, active: FromQuery[bool] = False) -> dict:
        """Organisations serving the user's area (or inside it)."""
        rows = await organisations.list_organisations(request.user, active_only=active)
        return {"organisations": [organisations.as_json(r) for r in rows]}

    @post("/", name="api_organisation_create", guards=[requires_district], responses=answers(Organisation, 201))
    async def create(self, request: Request, data: Annotated[dict[str, Any], json_body(OrganisationIn)]) -> dict:
        """Add an organisation: name, kind, area, contact_name, contact_phone, services, due_days."""
        return organisations.as_json(await organisations.create_organisation(request.user, data))

    @put("/{organisation_id:int}", name="api_organisation_update", guards=[requires_district], responses=answers(Organisation))
    async def update(self, request: Request, organisation_id: FromPath[RowId], data: Annotated[dict[str, Any], json_body(OrganisationUpdate)]) -> dict:
        """Change an organisation; `base_version` is the version the editor saw."""
        return organisations.as_json(await organisations.update_organisation(request.user, organisation_id, data))


class ReferralApiController(Controller):
    path = "/api/referrals"
    guards = [requires_user]

    @get("/", name="api_referrals", responses=answers(ReferralList))
    async def index(self, request: Request, status: FromQuery[str | None] = None, overdue: FromQuery[bool] = False, case_id: FromQuery[str | None] = None) -> dict:
        """Referrals in the user's scope; `overdue=true` lists those past their due date and still open."""
        return {"referrals": await services.list_referrals(request.user, status=status, overdue=overdue, case_id=case_id)}

    @post("/", name="api_referral_create", responses=answers(Referral, 201))
    async def create(self, request: Request, data: Annotated[dict[str, Any], json_body(ReferralIn)]) -> dict:
        """Create a referral (the same arguments as the `referral.create` mutation)."""
        return await services.create_referral(request.user, data)

    @get("/{referral_id:str}", name="api_referral", responses=answers(Referral))
    async def show(self, request: Request, referral_id: FromPath[str]) -> dict:
        """One referral with every step: status, date, note, who."""
        answer = await services.get_referral(request.user, referral_id)
        await record(request.user, "referral.view", "referral", answer["id"], {"case": answer["case_id"]})
        return answer

    @post("/{referral_id:str}/status", name="api_referral_status", status_code=200, responses=answers(ReferralChanged))
    async def status(self, request: Request, referral_id: FromPath[str], data: Annotated[dict[str, Any], json_body(ReferralStatusIn)]) -> dict:
        """Move to the next status: {expected_status, status, on, note} (as `referral.update`)."""
        return await services.update_status(request.user, {**data, "id": referral_id})


class OrganisationPageController(Controller):
    path = "/casework/organisations"
    guards = [requires_district]

    async def _page(self, request: Request, *, error: AppError | None = None, form: dict | None = None, status_code: int = 200) -> Template:
        rows = [organisations.as_json(r) for r in await organisations.list_organisations(request.user)]
        context = {"user": request.user, "organisations": rows, "areas": await areas_in_scope(request.user), "kinds": organisations.KINDS, "error": error, "form": form or {}}
        name = "casework/organisations_list.html" if request.headers.get("hx-request") == "true" else "casework/organisations.html"
        return Template(name, context=context, status_code=status_code, headers={"Vary": "HX-Request"})

    @get("/", name="organisations_page")
    async def index(self, request: Request) -> Template:
        """The organisations and a form to add one."""
        return await self._page(request)

    @post("/", name="organisations_create", status_code=200)
    async def create(self, request: Request, data: FormBody) -> Template:
        """Add an organisation from the form; errors are shown next to their field."""
        values: dict[str, Any] = {k: v for k, v in data.items() if k != "_csrf_token" and v != ""}
        values.setdefault("name", "")
        try:
            await organisations.create_organisation(request.user, values)
        except AppError as error:
            if error.status_code not in (400, 404, 409):
                raise
            # htmx swaps only 2xx answers: the form with its errors comes back as 200 to HTMX
            # (boosted posts included), with the error's own status to a plain form post.
            htmx = request.headers.get("hx-request") == "true"
            return await self._page(request, error=error, form=data, status_code=200 if htmx else error.status_code)
        return await self._page(request)


class ReferralPageController(Controller):
    path = "/casework/referrals"
    guards = [requires_user]

    @get("/", name="referrals_page")
    async def index(self, request: Request, overdue: FromQuery[bool] = False) -> Template:
        """Referrals in the user's scope, overdue ones marked (or only those with ?overdue=true)."""
        rows = await services.list_referrals(request.user, overdue=overdue)
        context = {"user": request.user, "referrals": rows, "statuses": services.STATUSES, "overdue_only": overdue}
        return Template("casework/referrals.html", context=context)
