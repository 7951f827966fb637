"""Sync mutations of evidence, and the evidence record kind of the pull feed."""

from __future__ import annotations

from server.evidence import feed  # noqa: F401  (registers the "evidence" record kind for the pull)
from server.evidence.services import attach
from sync.registry import MutationContext, register


@register("evidence.attach")
async def evidence_attach(ctx: MutationContext, args: dict) -> dict:
    """Link a finished, verified upload (by its SHA-256) to a case; RetryLater while it uploads."""
    return await attach(ctx, args)
