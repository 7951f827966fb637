"""Sync mutations of self-declarations."""

from __future__ import annotations

from server.casework.feed import lister
from server.declarations.services import KIND, load, record_declaration
from server.declarations.tables import Declaration
from server.validation.rejecting import rejecting
from sync.registry import MutationContext, register, register_kind

register_kind(KIND, load=load, list_all=lister(Declaration, Declaration.id))


@register("declaration.record")
@rejecting
async def declaration_record(ctx: MutationContext, args: dict) -> dict:
    """Record a recipient's self-declaration (承诺书 agreed, evidence) on an extension case."""
    return await record_declaration(ctx.actor, args, created_at=ctx.created_at)
