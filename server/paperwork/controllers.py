"""Paperwork pages: the backlog and exports (supervisors, district officers), an obligation's
page with its PDFs and 免签, the verification page, and the worker's task list and signing page."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect, Template

from server.accounts.guards import requires_supervisor, requires_user
from server.areas.scope import get_in_scope
from server.audit.services import record
from server.cases.tables import Case
from server.errors import Invalid, NotFound
from server.field.controllers import page as field_page
from server.i18n import N_, gettext
from server.paperwork import backlog, documents, services
from server.paperwork.kinds import DOCUMENTS, METHODS, SIGNER_ROLES, STATUSES
from server.paperwork.tables import Signature
from server.openapi import answers, json_body
from server.paperwork.schemas import Backlog, Obligation, ObligationsOfCase, TaskList, WaiveIn

LABELS = {"DOCUMENTS": DOCUMENTS, "DOC_STATUSES": STATUSES, "SIGNER_ROLES": SIGNER_ROLES, "METHODS": METHODS}
MAX_VERIFY_BYTES = 20 * 1024 * 1024


def _field(name: str, request: Request, **context) -> Template:
    """A phone page: the field layout with the labels its device-side templates need."""
    labels = field_page("caseload", request).context
    return Template(f"paperwork/{name}.html", context={**labels, **LABELS, **context})


def _pdf(content: bytes, name: str) -> Response:
    return Response(content, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "private, no-store"})


async def _signatures(row: dict) -> list[dict]:
    return await Signature.select(
        Signature.id, Signature.signer, Signature.signer_name, Signature.method, Signature.signed_at, Signature.binding_sha256,
        Signature.evidence, Signature.collected_by.display_name.as_alias("collector"),
    ).where(Signature.obligation == row["id"]).order_by(Signature.signed_at)


class PaperworkController(Controller):
    path = "/paperwork"
    guards = [requires_user]

    @get("/", name="paperwork_backlog", guards=[requires_supervisor])
    async def backlog_page(self, request: Request) -> Template:
        """The backlog: open obligations by community and worker, overdue ones, progress since the emergency ended."""
        return Template("paperwork/backlog.html", context={"user": request.user, **await backlog.backlog(request.user), **LABELS})

    @get("/export", name="paperwork_export", guards=[requires_supervisor])
    async def export(self, request: Request, format: FromQuery[str] = "csv") -> Response:
        """Every obligation in scope as CSV or XLSX."""
        content, media_type, name = await backlog.export(request.user, format)
        return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @get("/verify", name="paperwork_verify")
    async def verify_page(self, request: Request) -> Template:
        """Upload a signed PDF to see whether it matches what the server holds."""
        return Template("paperwork/verify.html", context={"user": request.user, "result": None, **LABELS})

    @post("/verify", name="paperwork_verify_post", status_code=200)
    async def verify(self, request: Request) -> Template:
        """The verification result for an uploaded PDF."""
        form = await request.form()
        upload = form.get("file")
        if upload is None or not hasattr(upload, "read"):
            raise Invalid(N_("请选择要核验的 PDF 文件。"), field="file")
        content = await upload.read()
        if not content or len(content) > MAX_VERIFY_BYTES:
            raise Invalid(N_("文件为空或过大。"), field="file")
        result = await documents.verify(request.user, content)
        return Template("paperwork/verify.html", context={"user": request.user, "result": result, "filename": upload.filename, **LABELS})

    @get("/cases/{case_id:uuid}", name="paperwork_case")
    async def case(self, request: Request, case_id: FromPath[UUID]) -> Template:
        """The documents of one case still to sign, signed or waived, with their PDFs."""
        await get_in_scope(request.user, Case, case_id, Case.area)  # a case outside the user's area is not found
        rows = await services.of_case(request.user, case_id)
        await record(request.user, "paperwork.view", "case", str(case_id), {"part": "case", "obligations": len(rows)})
        return Template("paperwork/case.html", context={"user": request.user, "case_id": case_id, "rows": rows,
                                                        "records": [services.as_record(r) for r in rows], **LABELS})

    @get("/{obligation_id:uuid}", name="paperwork_obligation")
    async def obligation(self, request: Request, obligation_id: FromPath[UUID]) -> Template:
        """One obligation: document, signers, signatures, PDFs, 免签."""
        row = await _viewed(request, obligation_id, "page")
        return Template("paperwork/obligation.html", context={
            "user": request.user, "o": row, "record": services.as_record(row), "signatures": await _signatures(row), **LABELS,
        })

    @get("/{obligation_id:uuid}/document.pdf", name="paperwork_document")
    async def document(self, request: Request, obligation_id: FromPath[UUID]) -> Response:
        """The document to print and sign, pre-filled at the decision, with its SHA-256."""
        row = await _viewed(request, obligation_id, "document.pdf")
        return _pdf(await documents.document_pdf(row), f"{row['kind']}-{row['id']}.pdf")

    @get("/{obligation_id:uuid}/signed.pdf", name="paperwork_signed")
    async def signed(self, request: Request, obligation_id: FromPath[UUID]) -> Response:
        """The document with the signatures collected and a verification line."""
        row = await _viewed(request, obligation_id, "signed.pdf")
        content = await documents.signed_pdf(row)
        if content is None:
            raise NotFound(N_("这份文书还没有签名。"))
        return _pdf(content, f"{row['kind']}-{row['id']}-signed.pdf")

    @post("/{obligation_id:uuid}/waive", name="paperwork_waive", guards=[requires_supervisor])
    async def waive(self, request: Request, obligation_id: FromPath[UUID]) -> Redirect:
        """免签 with a reason (form post)."""
        form = await request.form()
        await services.waive(request.user, obligation_id, str(form.get("reason") or ""), form.get("expected_version"))
        return Redirect(f"/paperwork/{obligation_id}", status_code=303)


class PaperworkApiController(Controller):
    path = "/api/paperwork"
    guards = [requires_user]

    @get("/obligations", name="api_paperwork_obligations", responses={200: ResponseSpec(data_container=ObligationsOfCase | TaskList, generate_examples=False,
                                                                                   description="`?case=`: the case's obligations; otherwise the caller's task list")})
    async def obligations(self, request: Request, case: FromQuery[UUID | None] = None) -> dict[str, Any]:
        """Obligations of a case (`?case=`), or the caller's open task list grouped by household."""
        if case is not None:
            return {"obligations": [services.as_record(r) for r in await services.of_case(request.user, case)]}
        tasks = await services.worker_tasks(request.user)
        return {"due": tasks["due"], "waiting": tasks["waiting"]}

    @get("/backlog", name="api_paperwork_backlog", guards=[requires_supervisor], responses=answers(Backlog))
    async def backlog(self, request: Request) -> dict[str, Any]:
        """The backlog's figures as JSON."""
        data = await backlog.backlog(request.user)
        return {
            "totals": data["totals"], "communities": data["communities"], "workers": data["workers"],
            "overdue": [{"id": str(r["id"]), "kind": r["kind"], "due_on": r["due_on"].isoformat(), "community": r["community"], "worker": r["worker"]} for r in data["overdue"]],
            "progress": [{"day": p["day"].isoformat(), "open": p["open"]} for p in data["series"]],
        }

    @post("/obligations/{obligation_id:uuid}/waive", name="api_paperwork_waive", guards=[requires_supervisor], status_code=200, responses=answers(Obligation))
    async def waive(self, request: Request, obligation_id: FromPath[UUID], data: Annotated[dict[str, Any], json_body(WaiveIn)]) -> dict[str, Any]:
        """免签: {reason, expected_version?}."""
        return services.as_record(await services.waive(request.user, obligation_id, str(data.get("reason") or ""), data.get("expected_version")))


class FieldPaperworkController(Controller):
    path = "/field/paperwork"
    guards = [requires_user]

    @get("/", name="field_paperwork")
    async def tasks(self, request: Request) -> Template:
        """The worker's signatures to collect, grouped by household, community by community."""
        return _field("field_tasks", request, **await services.worker_tasks(request.user))

    @get("/{obligation_id:uuid}", name="field_paperwork_sign")
    async def sign(self, request: Request, obligation_id: FromPath[UUID]) -> Template:
        """Signing one document on the phone (drawn on the screen, or a photo of the paper)."""
        row = await _viewed(request, obligation_id, "field")
        signatures = await _signatures(row)
        signed = {s["signer"] for s in signatures}
        return _field("field_sign", request, o=row, record=services.as_record(row), signatures=signatures, signed=signed,
                      title_shown=gettext(DOCUMENTS[row["kind"]]))


async def _viewed(request: Request, obligation_id: UUID, part: str) -> dict:
    """The obligation in the user's scope; the read of its names and ID numbers is audited."""
    row = await services.get(request.user, obligation_id)
    await record(request.user, "paperwork.view", "obligation", str(row["id"]), {"part": part, "case": str(row["case"])})
    return row


ROUTES = [PaperworkController, PaperworkApiController, FieldPaperworkController]
