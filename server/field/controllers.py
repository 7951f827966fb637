"""The field pages. The page's JavaScript turns their forms into outbox mutations, pushed by the
sync client (web/static/js/forms.js); without it, forms post to /field/forms/<mutation>."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

import server.visits.mutations  # noqa: F401 - registers visit.record (also found by the sync engine)
from server.accounts.guards import requires_user
from server.audit.services import record
from server.field import services
from server.field.forms import apply_form, next_page
from server.field.labels import field_labels
from server.field.worker import service_worker_source


def page(name: str, request: Request, **context) -> Template:
    return Template(f"field/{name}.html", context={"user": request.user, **field_labels(), **context})


class FieldController(Controller):
    path = "/field"
    guards = [requires_user]

    @get("/", name="field_caseload")
    async def caseload(self, request: Request) -> Template:
        """My caseload: synced cases from the server, pending ones from the device."""
        from server.field.tasks import open_count  # imported here: server.field.tasks imports this module

        return page("caseload", request, cases=await services.caseload(request.user), open_tasks=await open_count(request.user))

    @get("/households/new", name="field_household_new")
    async def new_household(self, request: Request) -> Template:
        """The new-household form."""
        return page("household_new", request, communities=await services.communities(request.user))

    @get("/cases/{case_id:uuid}", name="field_case")
    async def case(self, request: Request, case_id: FromPath[UUID]) -> Template:
        """One case: household, members, visits, and what the device still holds for it."""
        context = await services.case_page(request.user, case_id)
        await record(request.user, "case.view", "case", str(context["case"]["id"]), {"page": "field", "members": len(context["members"])})
        return page("case", request, **context)

    @get("/visit", name="field_visit")
    async def visit(self, request: Request) -> Template:
        """The non-contact home visit form; the case comes from `?case=` (read by the page)."""
        return page("visit", request)

    @post("/forms/{name:str}", name="field_form")
    async def submit(self, request: Request, name: FromPath[str]) -> Redirect:
        """A form posted without the page's JavaScript: the same mutation, applied at once."""
        form = {key: str(value) for key, value in (await request.form()).items()}
        args = await apply_form(request.user, name, form)
        return Redirect(next_page(form, args), status_code=303)

    @get("/capture", name="field_capture")
    async def capture(self, request: Request) -> Template:
        """Evidence capture for the case in `?case=`: photo, video, audio."""
        return page("capture", request)


class FieldShellController(Controller):
    """Pages that hold no server data and render from the device, so they need no session:
    they are precached by the service worker and must open when the session has expired.
    The old address of a page that moved is here too: its redirect reads nothing."""

    path = "/field"

    @get("/outbox", name="field_outbox")
    async def outbox(self, request: Request) -> Template:
        """Every item the device has not handed over yet, and every rejected one."""
        return page("outbox", request)

    @get("/local", name="field_local")
    async def local(self, request: Request) -> Template:
        """The page of a case created on this device and not yet on the server."""
        return page("local_case", request)

    @get("/cases/new", name="field_case_new_moved", status_code=308)
    async def moved_new_case(self, type: FromQuery[str] = "", household: FromQuery[str] = "") -> Redirect:  # noqa: A002 - the query's name
        """The old new-case form's address (bookmarks, pages cached by an earlier version): the per-type page."""
        query = urlencode({key: value for key, value in (("type", type), ("household", household)) if value})
        return Redirect(f"/field/casework/new{'?' + query if query else ''}", status_code=308)

    @get("/offline", name="field_offline")
    async def offline(self, request: Request) -> Template:
        """Shown by the service worker for a page that is neither reachable nor cached."""
        return page("offline", request)


@get("/sw.js", name="service_worker", include_in_schema=False)
async def service_worker() -> Response:
    """The service worker, at the root so that its scope is the whole app."""
    source, _ = service_worker_source()
    return Response(source, media_type="text/javascript", headers={"Cache-Control": "no-cache"})
