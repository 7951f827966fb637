"""Sync mutations of verification."""

from __future__ import annotations

from server.validation.rejecting import rejecting
from server.verification.services import KIND, load, request_verification
from sync.registry import MutationContext, register, register_kind

register_kind(KIND, load=load)


@register("verification.request")
@rejecting
async def verification_request(ctx: MutationContext, args: dict) -> dict:
    """Open a household economic status verification request for a case."""
    return await request_verification(ctx.actor, args)
