"""Sync mutations of self-declarations."""

from __future__ import annotations

from server.declarations.services import KIND, load, record_declaration
from server.validation.rejecting import rejecting
from sync.registry import MutationContext, register, register_kind

register_kind(KIND, load=load)


@register("declaration.record")
@rejecting
async def declaration_record(ctx: MutationContext, args: dict) -> dict:
    """Record a recipient's self-declaration (承诺书 agreed, evidence) on an extension case."""
    return await record_declaration(ctx.actor, args, created_at=ctx.created_at)
