"""Declarations over JSON: lists for the review queue, and approving many at once."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery

from server.accounts.guards import requires_supervisor, requires_user
from server.declarations import services
from server.declarations.schemas import ApproveIn, ApproveResults, Declaration, DeclarationList, ReverificationIn
from server.openapi import answers, json_body


class DeclarationApiController(Controller):
    path = "/api/declarations"
    guards = [requires_user]

    @get("/", name="api_declarations", responses=answers(DeclarationList))
    async def index(self, request: Request, status: FromQuery[str | None] = None, reverification: FromQuery[str | None] = None, case_id: FromQuery[str | None] = None) -> dict:
        """Declarations in the user's scope, filtered by status, re-verification or case."""
        rows = await services.list_declarations(request.user, status=status, reverification=reverification, case_id=case_id)
        return {"declarations": rows}

    @post("/approve", name="api_declarations_approve", guards=[requires_supervisor], status_code=200, responses=answers(ApproveResults))
    async def approve(self, request: Request, data: Annotated[dict[str, Any], json_body(ApproveIn)]) -> dict:
        """Approve many pending extensions at once: {"ids": [...], "note": "..."}; one answer per id."""
        results = await services.approve_many(request.user, data.get("ids"), str(data.get("note") or ""))
        return {"results": results, "approved": sum(1 for r in results if r["status"] == "approved")}

    @post("/{declaration_id:str}/reverification", name="api_declaration_reverified", guards=[requires_supervisor], status_code=200,
          responses=answers(Declaration))
    async def reverified(self, request: Request, declaration_id: FromPath[str], data: Annotated[dict[str, Any], json_body(ReverificationIn)]) -> dict:
        """Mark the re-verification owed after the emergency as done, with a note."""
        return await services.mark_reverified(request.user, declaration_id, data)
