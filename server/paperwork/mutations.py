"""Sync mutations of deferred paperwork, and the `obligation` record kind of the pull feed."""

from __future__ import annotations

from uuid import UUID

from server.accounts.current import CurrentUser
from server.areas.scope import in_scope
from server.paperwork import signing
from server.paperwork.services import COLUMNS, KIND, as_record
from server.paperwork.tables import Obligation
from sync.registry import MutationContext, register, register_kind


@register("paperwork.sign")
async def paperwork_sign(ctx: MutationContext, args: dict) -> dict:
    """A signature drawn on the phone, bound to the document's hash, the signer and the time."""
    return await signing.sign(ctx, args)


@register("paperwork.attach_photo")
async def paperwork_attach_photo(ctx: MutationContext, args: dict) -> dict:
    """A photo of the paper signed by hand, as evidence that completes the obligation."""
    return await signing.attach_photo(ctx, args)


async def load(actor: CurrentUser, ids: list[str]) -> dict[str, dict]:
    keys = []
    for value in ids:
        try:
            keys.append(UUID(value))
        except ValueError:
            continue
    if not keys:
        return {}
    rows = await Obligation.select(*COLUMNS).where(Obligation.id.is_in(keys) & in_scope(actor, Obligation.area)).output(load_json=True)
    return {str(row["id"]): as_record(row) for row in rows}


async def list_all() -> list[tuple[str, str]]:
    rows = await Obligation.select(Obligation.id, Obligation.area.path.as_alias("area_path"))
    return [(str(row["id"]), row["area_path"]) for row in rows]


register_kind(KIND, load=load, list_all=list_all)
