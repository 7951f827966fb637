"""Sync mutations of verification."""

from __future__ import annotations

from server.casework.feed import lister
from server.validation.rejecting import rejecting
from server.verification.services import KIND, load, request_verification
from server.verification.tables import VerificationRequest
from sync.registry import MutationContext, register, register_kind

register_kind(KIND, load=load, list_all=lister(VerificationRequest, VerificationRequest.id))


@register("verification.request")
@rejecting
async def verification_request(ctx: MutationContext, args: dict) -> dict:
    """Open a household economic status verification request for a case."""
    return await request_verification(ctx.actor, args)
