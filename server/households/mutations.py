"""Mutations on households, registered with the sync engine, and the pull's household kind."""

from __future__ import annotations

from server.areas.scope import area_in_scope
from server.clock import now
from server.errors import NotFound
from server.households.batched import household_in_batch, stage_new_household
from server.households.services import (
    KIND,
    comparable_members,
    apply_household_fields,
    clean_fields,
    create_household,
    current_values,
    household_anywhere,
    household_in_scope,
    list_households,
    load_households,
    write_fields,
)
from server.i18n import N_
from server.validation import rules
from server.validation.rejecting import rejecting
from sync import merge
from sync.conflicts import record_conflict
from sync.batch import Batch
from sync.registry import MutationContext, register, register_batched, register_kind


@register("household.upsert")
@rejecting
async def upsert_household(ctx: MutationContext, args: dict) -> dict:
    """Create the household when its id is new; otherwise merge the given fields into it."""
    user = ctx.actor
    household_id = rules.uuid_value(args.get("id"), "id")
    at = ctx.received_at or now()
    row = await household_anywhere(household_id)
    if row is None:
        return await create_household(user, household_id, clean_fields(args, creating=True), at, ctx.extra.get("batch"))
    if not area_in_scope(user, row["area_path"]):
        raise NotFound(N_("该户已存在，但不在您的管辖范围内。"), field="id")
    values = clean_fields(args, creating=False)
    current = await current_values(row)
    changes = {**values, "members": comparable_members(values["members"])} if "members" in values else values
    result = await merge.merge(KIND, str(household_id), current=current, version=row["version"], base_version=ctx.base_version, changes=changes)
    version = row["version"]
    if result.apply:
        apply = {name: values[name] for name in result.apply}
        version = await write_fields(user, row, apply, current, at)
    answer: dict = {"id": str(household_id), "version": version, "applied": sorted(result.apply)}
    if result.conflicts:
        answer["conflict"] = await record_conflict(
            ctx, kind=KIND, record_id=str(household_id), area_path=row["area_path"], fields=result.conflicts, server_version=version
        )
    return answer


@register_batched("household.upsert")
@rejecting
async def create_household_batched(ctx: MutationContext, args: dict, batch: Batch) -> dict | None:
    """A new household, staged with the push batch; an edit, or members that bring their own
    ids, are left to upsert_household (None)."""
    household_id = rules.uuid_value(args.get("id"), "id")
    if await household_in_batch(batch, household_id) is not None:
        return None
    values = clean_fields(args, creating=True)
    if any("id" in member for member in values["members"]):
        return None
    return await stage_new_household(ctx.actor, batch, household_id, values, ctx.received_at or now())


async def household_field_values(user, record_id: str) -> tuple[dict, int]:
    """Conflict resolution: the fields upsert_household merges, as it compares them now, and the version."""
    row = await household_in_scope(user, rules.uuid_value(record_id, "record_id"))
    if row is None:
        raise NotFound()
    current = await current_values(row)
    current.pop("_members")
    return current, row["version"]


register_kind(KIND, load=load_households, apply_fields=apply_household_fields, list_all=list_households, read_fields=household_field_values)
