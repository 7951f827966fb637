"""Verification over JSON: requests per case, and the supervisor entering a manual result."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath

from server.accounts.guards import requires_supervisor, requires_user
from server.audit.services import record
from server.verification import services
from server.openapi import answers, json_body
from server.verification.schemas import Verification, VerificationIn, VerificationList, VerificationResultIn


class VerificationApiController(Controller):
    path = "/api"
    guards = [requires_user]

    @get("/cases/{case_id:str}/verifications", name="api_case_verifications", responses=answers(VerificationList))
    async def index(self, request: Request, case_id: FromPath[str]) -> dict:
        """The verification requests of a case, oldest first."""
        rows = await services.list_for_case(request.user, case_id)
        await record(request.user, "verification.view", "case", str(uuid.UUID(case_id)), {"requests": len(rows)})
        return {"verifications": rows}

    @post("/cases/{case_id:str}/verifications", name="api_case_verification_create", responses=answers(Verification, 201))
    async def create(self, request: Request, case_id: FromPath[str], data: Annotated[dict[str, Any] | None, json_body(VerificationIn)] = None) -> dict:
        """Open a verification request for a case (the same as the `verification.request` mutation)."""
        args = {"id": (data or {}).get("id") or str(uuid.uuid4()), "case_id": case_id}
        return await services.request_verification(request.user, args)

    @post("/verifications/{request_id:str}/result", name="api_verification_result", guards=[requires_supervisor], status_code=200,
          responses=answers(Verification))
    async def result(self, request: Request, request_id: FromPath[str], data: Annotated[dict[str, Any], json_body(VerificationResultIn)]) -> dict:
        """Enter the result of a manual verification: result, result_on, summary, document_ref."""
        return await services.record_result(request.user, request_id, data)
