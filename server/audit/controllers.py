"""The audit trail for district officers: browse with filters, export as CSV (itself audited)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.response import Template

from server.accounts.guards import requires_district
from server.audit import browse
from server.audit.services import record


def _params(request: Request) -> dict[str, str]:
    return {key: request.query_params.get(key) for key in request.query_params}


class AuditController(Controller):
    path = "/review/audit"
    guards = [requires_district]

    @get("/", name="audit_browse")
    async def browse_page(self, request: Request) -> Template:
        """The district's audit events, newest first, 100 a page."""
        filters = browse.parse(_params(request))
        result = await browse.events(request.user, filters)
        return Template("review/audit.html", context={"user": request.user, "filters": filters, "params": _params(request), **result})

    @get("/export.csv", name="audit_export")
    async def export(self, request: Request) -> Response:
        """The district's audit events matching the filters, as CSV."""
        filters = browse.parse(_params(request))
        content, count = await browse.export_csv(request.user, filters)
        await record(request.user, "audit.export", "audit", request.user.area_code, {"rows": count, "filters": _params(request)})
        return Response(content, media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="doorstep-audit-{request.user.area_code}.csv"'})
