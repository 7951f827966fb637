"""Mutations on cases, registered with the sync engine, and the pull's case kind."""

from __future__ import annotations

from server.accounts.current import CurrentUser
from server.cases.batched import stage_new_case
from server.cases.services import EDITABLE, KIND, apply_case_fields, case_in_scope, clean_changes, create_case, list_cases, load_cases, write_fields
from server.clock import now
from server.errors import NotFound
from server.i18n import N_
from server.validation import rules
from server.validation.rejecting import rejecting
from sync import merge
from sync.conflicts import record_conflict
from sync.batch import Batch
from sync.registry import MutationContext, register, register_batched, register_kind


@register("case.create")
@rejecting
async def create(ctx: MutationContext, args: dict) -> dict:
    """Open a case: {id, type, household_id, procedure?, notes?}."""
    return await create_case(ctx.actor, args, opened_at=ctx.created_at, at=ctx.received_at or now())


@register_batched("case.create")
@rejecting
async def create_batched(ctx: MutationContext, args: dict, batch: Batch) -> dict:
    """case.create staged with the push batch: the same checks and answer as `create`."""
    return await stage_new_case(ctx.actor, batch, args, opened_at=ctx.created_at, at=ctx.received_at or now())


@register("case.update")
@rejecting
async def update(ctx: MutationContext, args: dict) -> dict:
    """Edit fields of a case: {id, changes: {type?, procedure?, notes?}}, merged against base_version."""
    case_id = rules.uuid_value(args.get("id"), "id")
    changes = clean_changes(args.get("changes"))
    row = await case_in_scope(ctx.actor, case_id)
    if row is None:
        raise NotFound(N_("找不到该案件，或不在您的管辖范围内。"), field="id")
    current = {name: row[name] for name in changes}
    result = await merge.merge(KIND, str(case_id), current=current, version=row["version"], base_version=ctx.base_version, changes=changes)
    version = row["version"]
    if result.apply:
        version = await write_fields(row, result.apply, ctx.received_at or now())
    answer: dict = {"id": str(case_id), "version": version, "applied": sorted(result.apply)}
    if result.conflicts:
        answer["conflict"] = await record_conflict(
            ctx, kind=KIND, record_id=str(case_id), area_path=row["area_path"], fields=result.conflicts, server_version=version
        )
    return answer


async def case_field_values(user: CurrentUser, record_id: str) -> tuple[dict, int]:
    """Conflict resolution: the fields case.update merges, as they are now, and the case's version."""
    row = await case_in_scope(user, rules.uuid_value(record_id, "record_id"))
    if row is None:
        raise NotFound()
    return {name: row[name] for name in EDITABLE}, row["version"]


register_kind(KIND, load=load_cases, apply_fields=apply_case_fields, list_all=list_cases, read_fields=case_field_values)
