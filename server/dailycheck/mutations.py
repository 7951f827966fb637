"""The daily check as a sync mutation, and the pull's `dailycheck` record kind."""

from __future__ import annotations

from server.dailycheck.services import KIND, list_recent, load_checks, record_check
from server.validation.mutations import rejecting
from sync.registry import MutationContext, register, register_kind


@register("dailycheck.record")
@rejecting
async def record_daily_check(ctx: MutationContext, args: dict) -> dict:
    """Record one person's daily check (idempotent per person and day, see services)."""
    return await record_check(ctx.actor, args, client_id=ctx.client_id, received_at=ctx.received_at)


register_kind(KIND, load=load_checks, list_all=list_recent)
