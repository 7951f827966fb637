"""The `case.submit` sync mutation.

`rejecting` is re-exported here: other domains' mutation modules import it from this module.
"""

from __future__ import annotations

from server.validation.completeness import submit_case
from server.validation.rejecting import rejecting
from sync.registry import MutationContext, register


@register("case.submit")
@rejecting
async def case_submit(ctx: MutationContext, args: dict) -> dict:
    """Send a draft or returned case to review; refused with every missing field while incomplete."""
    return await submit_case(ctx.actor, args)


__all__ = ["case_submit", "rejecting"]
