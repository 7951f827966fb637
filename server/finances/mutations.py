"""Sync mutations of household finances, and the finances record kind for the pull."""

from __future__ import annotations

from server.casework.feed import lister
from server.finances import services
from server.finances.tables import CaseFinances
from server.validation.rejecting import rejecting
from sync.registry import MutationContext, register, register_kind


async def read_fields(actor, record_id: str) -> tuple[dict, int]:
    """Conflict resolution: the sections set_finances merges, as they are now, and the version."""
    case = await services.case_in_scope(actor, record_id)
    return await services.finances_data(case["id"])


register_kind(services.KIND, load=services.load, apply_fields=services.apply_fields, list_all=lister(CaseFinances, CaseFinances.case),
              read_fields=read_fields)


@register("finances.set")
@rejecting
async def finances_set(ctx: MutationContext, args: dict) -> dict:
    """Replace the given sections of a case's finances; `base_version` is the version the device saw."""
    return await services.set_finances(ctx, args)
