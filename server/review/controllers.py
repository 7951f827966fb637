"""The supervisor's pages: the queue, the case page, decisions (HTMX), conflicts, exports."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server.accounts.guards import requires_supervisor
from server.audit.services import record
from server.errors import Conflict, Invalid, NotFound
from server.households.idnumber import mask
from server.i18n import N_, gettext as _
from server.review import casepage, decisions, exports, queue
from server.review.reasons import ACTIONS, REJECT_REASONS, STEPS, TASK_KINDS
from server.visits.schemas import MODES
from server.openapi import answers, json_body, operation_class
from server.review.schemas import QUEUE_FILTERS, Decided, DecisionIn, Queue, ReviewCase

LABELS = {"ACTIONS": ACTIONS, "REJECT_REASONS": REJECT_REASONS, "STEPS": STEPS, "TASK_KINDS": TASK_KINDS, "MODES": MODES, **casepage.CONFLICT_LABELS}


def _params(request: Request) -> dict[str, str]:
    return {key: request.query_params.get(key) for key in request.query_params}


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def audit_search(request: Request, filters: queue.Filters) -> None:
    """A search for a person is a look into personal data: audited, ID numbers masked."""
    if filters.q:
        shown = mask(filters.q) if filters.q[:1].isdigit() and len(filters.q) >= 10 else filters.q
        await record(request.user, "review.search", "queue", request.user.area_code, {"q": shown})


async def queue_context(request: Request) -> dict:
    filters = queue.parse_filters(_params(request))
    await audit_search(request, filters)
    result = await queue.page(request.user, filters)
    return {"user": request.user, "filters": filters, **result, **LABELS}


async def panel_context(request: Request, case_id: FromPath[UUID], **extra) -> dict:
    case = await decisions.load_case(request.user, case_id)
    return {
        "user": request.user,
        "case": case,
        "workers": await queue.workers_in_scope(request.user),
        **LABELS,
        **extra,
    }


class ReviewController(Controller):
    path = "/review"
    guards = [requires_supervisor]

    @get("/", name="review_queue")
    async def queue_page(self, request: Request) -> Template:
        """The review queue (the results fragment for HTMX requests from the filter form)."""
        context = await queue_context(request)
        context["communities"] = await _communities(request)
        context["workers"] = await queue.workers_in_scope(request.user)
        name = "review/_queue_results.html" if request.headers.get("hx-target") == "queue-results" else "review/queue.html"
        return Template(name, context=context, headers={"Vary": "HX-Request"})

    @get("/cases/{case_id:uuid}", name="review_case")
    async def case_page(self, request: Request, case_id: FromPath[UUID]) -> Template:
        """Everything needed to decide one case; the view is audited."""
        context = await casepage.case_page(request.user, case_id)
        await record(
            request.user, "case.view", "case", str(case_id),
            {"members": len(context["members"]), "evidence": [str(e["id"]) for e in context["evidence"]]},
        )
        return Template("review/case.html", context={"user": request.user, "workers": await queue.workers_in_scope(request.user), **LABELS, **context})

    @post("/cases/{case_id:uuid}/decisions", name="review_decide", status_code=200)
    async def decide(self, request: Request, case_id: FromPath[UUID]) -> Template | Redirect:
        """Take a decision; the decision panel is answered to HTMX, a redirect to plain forms."""
        form = dict(await request.form())
        try:
            result = await decisions.decide(request.user, case_id, form)
        except (Conflict, Invalid) as error:
            if not _is_htmx(request):
                raise
            context = await panel_context(request, case_id, error=error, form=form)
            return Template("review/_decision_panel.html", context=context, status_code=error.status_code)
        if not _is_htmx(request):
            return Redirect(f"/review/cases/{case_id}", status_code=303)
        context = await panel_context(request, case_id, done=result)
        return Template("review/_decision_panel.html", context=context)

    @post("/cases/{case_id:uuid}/conflicts/{conflict_id:str}/resolve", name="review_resolve_conflict", status_code=200)
    async def resolve_conflict(self, request: Request, case_id: FromPath[UUID], conflict_id: FromPath[str]) -> Template | Redirect:
        """Settle an open conflict of the case field by field (server's or device's value); a refusal
        (already resolved, a field without a choice) answers the panel with the reason to HTMX."""
        from server.sync_api.controllers import as_app_error
        from server.sync_api.resolution import resolve_and_audit
        from sync import conflicts
        from sync.errors import SyncError

        case = await decisions.load_case(request.user, case_id)
        form = await request.form()
        choices = {key[len("choice_"):]: value for key, value in form.items() if key.startswith("choice_")}
        try:
            conflict = await conflicts.get_conflict(request.user.area_path, conflict_id)
            if conflict["record_id"] not in (str(case["id"]), str(case["household"])):
                raise NotFound(N_("找不到该冲突记录，或您无权查看。"))
            result = await resolve_and_audit(request.user, conflict_id, choices, via="review")
        except SyncError as exc:
            error = as_app_error(exc)
            if not _is_htmx(request) or isinstance(error, NotFound):
                raise error from exc
            return Template("review/_conflicts.html", status_code=error.status_code, context={
                "user": request.user, "case": case, "conflicts": await casepage.open_conflicts(case), "error": error, **LABELS})
        if not _is_htmx(request):
            return Redirect(f"/review/cases/{case_id}", status_code=303)
        return Template("review/_conflicts.html", context={"user": request.user, "case": case, "conflicts": await casepage.open_conflicts(case),
                                                            "resolved": result["conflict"], **LABELS})

    @get("/export/{what:str}", name="review_export")
    async def export(self, request: Request, what: FromPath[str], format: FromQuery[str] = "xlsx", unmasked: FromQuery[bool] = False) -> Response:
        """Cases (with the queue's filters) or decisions of the user's scope as CSV or XLSX."""
        if what not in ("cases", "decisions"):
            raise Invalid(N_("可导出 cases（案件）或 decisions（审批决定）"), field="what")
        params = {**_params(request), "status": request.query_params.get("status", "")}
        filters = queue.parse_filters(params) if what == "cases" else None
        content, media_type, filename = await exports.export(request.user, what, format, unmasked, filters)
        return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


async def _communities(request: Request) -> list[dict]:
    from server.areas.tables import Area

    return await Area.select(Area.code, Area.name).where(Area.path.like(f"{request.user.area_path}%") & (Area.level == "community")).order_by(Area.path)


class ReviewApiController(Controller):
    """The same queue and decisions as JSON, for scripts and tests."""

    path = "/api/review"
    guards = [requires_supervisor]

    @get("/queue", name="api_review_queue", responses=answers(Queue), operation_class=operation_class(query=QUEUE_FILTERS))
    async def queue(self, request: Request) -> dict[str, Any]:
        """One page of the queue with the counts."""
        filters = queue.parse_filters(_params(request))
        await audit_search(request, filters)
        result = await queue.page(request.user, filters)
        rows = [
            {
                "id": str(r["id"]), "type": r["type"], "status": r["status"], "procedure": r["procedure"], "version": r["version"],
                "community": r["community_code"], "applicant": r["applicant"], "id_number": r["id_number_masked"], "address": r["address"],
                "worker": r["worker"], "assigned_to": r["assigned_to"], "opened_at": r["opened_at"].isoformat(),
                "accepted_at": r["accepted_at"].isoformat() if r["accepted_at"] else None,
                "updated_at": r["updated_at"].isoformat(), "has_conflicts": r["has_conflicts"], "overdue": r["overdue"],
                "due_on": r["due_on"].isoformat() if r["due_on"] else None,
            }
            for r in result["rows"]
        ]
        return {"cases": rows, "next_cursor": result["next_cursor"] or None, "counts": result["counts"]}

    @post("/cases/{case_id:uuid}/decisions", name="api_review_decide", status_code=200, responses=answers(Decided))
    async def decide(self, request: Request, case_id: FromPath[UUID], data: Annotated[dict[str, Any], json_body(DecisionIn)]) -> dict[str, Any]:
        """Take a decision: {action, expected_status, expected_version, reason_code?, reason_text?, request?, assignee?}."""
        return await decisions.decide(request.user, case_id, data)

    @get("/cases/{case_id:uuid}", name="api_review_case", responses=answers(ReviewCase))
    async def case(self, request: Request, case_id: FromPath[UUID]) -> dict[str, Any]:
        """The decisions, tasks and deadlines of one case (the view is audited)."""
        context = await casepage.case_page(request.user, case_id)
        await record(request.user, "case.view", "case", str(case_id), {"members": len(context["members"]), "api": True})
        case = context["case"]
        return {
            "case": {"id": str(case["id"]), "status": case["status"], "version": case["version"], "type": case["type"],
                     "accepted_at": case["accepted_at"].isoformat() if case["accepted_at"] else None},
            "rules": context["rules"],
            "deadlines": [{**d, "starts_on": d["starts_on"].isoformat(), "due_on": d["due_on"].isoformat(),
                           "met_on": d["met_on"].isoformat() if d["met_on"] else None, "label": _(d["label"])} for d in context["deadlines"]],
            "tasks": context["tasks"],
            "decisions": [{"action": d["action"], "from": d["from_status"], "to": d["to_status"], "procedure": d["procedure"], "step": d["step"],
                           "spot_check": d["spot_check"], "reason_code": d["reason_code"], "reason_text": d["reason_text"]} for d in context["decisions"]],
            "evidence": [{"id": str(e["id"]), "sha256": e["sha256"], "verified": e["verified"], "kind": e["kind"]} for e in context["evidence"]],
            "conflicts": context["conflicts"],
        }
