"""Sync mutations of referrals."""

from __future__ import annotations

from server.casework.feed import lister
from server.referrals.services import KIND, create_referral, load, update_status
from server.referrals.tables import Referral
from server.validation.rejecting import rejecting
from sync.registry import MutationContext, register, register_kind

register_kind(KIND, load=load, list_all=lister(Referral, Referral.id))


@register("referral.create")
@rejecting
async def referral_create(ctx: MutationContext, args: dict) -> dict:
    """Refer the person of a case to an organisation, with reason and contact."""
    return await create_referral(ctx.actor, args)


@register("referral.update")
@rejecting
async def referral_update(ctx: MutationContext, args: dict) -> dict:
    """Move a referral to its next status (naming the status expected), with date and note."""
    return await update_status(ctx.actor, args)
