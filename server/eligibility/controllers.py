"""The eligibility computation: JSON for clients, an HTML partial for the supervisor's case page."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post, put
from litestar.params import FromPath
from litestar.response import Template

from server.accounts.guards import requires_supervisor, requires_user
from server.audit.services import record
from server.eligibility import services
from server.clock import now
from server.finances.services import get_finances, set_finances
from server.finances.tables import CaseFinances
from sync.db import write_transaction
from sync.registry import MutationContext
from server.validation.completeness import completeness
from server.eligibility.schemas import Completeness, Eligibility, Finances, FinancesChanged, FinancesIn, Snapshot, SnapshotIn, SnapshotMade
from server.openapi import answers, json_body


class CaseworkApiController(Controller):
    """Case-level casework reads: finances, completeness, eligibility, snapshots."""

    path = "/api/cases"
    guards = [requires_user]

    @get("/{case_id:str}/finances", name="api_case_finances", responses=answers(Finances))
    async def finances(self, request: Request, case_id: FromPath[str]) -> dict:
        """The case's finances document and its version (0 when nothing is recorded yet)."""
        answer = await get_finances(request.user, case_id)
        await record(request.user, "finances.view", "case", answer["case_id"], {"version": answer["version"]})
        return answer

    @put("/{case_id:str}/finances", name="api_case_finances_set", responses=answers(FinancesChanged))
    async def set_finances(self, request: Request, case_id: FromPath[str], data: Annotated[dict[str, Any], json_body(FinancesIn)]) -> dict:
        """Edit finances from the web (a supervisor's desk): the same rules as `finances.set`,
        `base_version` in the body; overlapping stale sections come back under `conflict`."""
        user = request.user
        at = now()
        ctx = MutationContext(
            actor=user, client_id=f"web-session-{user.session_id}", mutation_id=0, created_at=at,
            base_version=data.get("base_version"), user_id=user.id, passkey_id=user.passkey_id, session_id=user.session_id, received_at=at,
        )
        async with write_transaction(CaseFinances._meta.db):
            return await set_finances(ctx, {**data, "case_id": case_id})

    @get("/{case_id:str}/completeness", name="api_case_completeness", responses=answers(Completeness))
    async def completeness(self, request: Request, case_id: FromPath[str]) -> dict:
        """Whether the case may be submitted, and every missing field with its reason."""
        return await completeness(request.user, case_id)

    @get("/{case_id:str}/eligibility", name="api_case_eligibility", responses=answers(Eligibility))
    async def eligibility(self, request: Request, case_id: FromPath[str]) -> dict:
        """The computation from the case's current inputs, line by line, with the rule versions."""
        answer = await services.eligibility(request.user, case_id)
        await record(request.user, "eligibility.view", "case", answer["case_id"], {})
        return answer

    @post("/{case_id:str}/eligibility/snapshots", name="api_case_eligibility_snapshot", guards=[requires_supervisor], responses=answers(SnapshotMade, 201))
    async def snapshot(self, request: Request, case_id: FromPath[str], data: Annotated[dict[str, Any] | None, json_body(SnapshotIn)] = None) -> dict:
        """Compute and keep the result with its inputs (e.g. with a decision); answers `snapshot_id`."""
        purpose = str((data or {}).get("purpose") or "")
        return await services.snapshot(request.user, case_id, purpose)


class SnapshotApiController(Controller):
    path = "/api/eligibility/snapshots"
    guards = [requires_user]

    @get("/{snapshot_id:str}", name="api_eligibility_snapshot", responses=answers(Snapshot))
    async def show(self, request: Request, snapshot_id: FromPath[str]) -> dict:
        """A stored result exactly as it was computed, with its inputs."""
        answer = await services.get_snapshot(request.user, snapshot_id)
        await record(request.user, "eligibility.snapshot_view", "eligibility_snapshot", answer["snapshot_id"], {})
        return answer


class EligibilityPageController(Controller):
    path = "/casework/cases"
    guards = [requires_user]

    @get("/{case_id:str}/eligibility", name="case_eligibility")
    async def show(self, request: Request, case_id: FromPath[str]) -> Template:
        """The computation as the supervisor reads it: a fragment for HTMX, a page otherwise."""
        result = await services.eligibility(request.user, case_id)
        await record(request.user, "eligibility.view", "case", result["case_id"], {"page": True})
        context = {"user": request.user, "r": result}
        name = "casework/eligibility.html" if request.headers.get("hx-request") == "true" else "casework/eligibility_page.html"
        return Template(name, context=context, headers={"Vary": "HX-Request"})
