"""Reading and writing a case's finances with the sync engine's conflict rules.

The sections of the document (incomes, assets, expenses, circumstances, tekun, temporary) are
the fields the engine merges: a device's edit names the version it saw; sections nobody else
changed since then apply, and sections changed meanwhile keep the server's value while the
device's value becomes a conflict record that the worker and the supervisor both see.
"""

from __future__ import annotations

import json

from server.accounts.current import CurrentUser
from server.areas.scope import get_in_scope, in_scope
from server.areas.tables import Area
from server.audit.services import record
from server.cases.tables import Case
from server.clock import now
from server.errors import Invalid
from server.finances.kinds import SECTIONS
from server.finances.sections import CLEANERS
from server.finances.tables import CaseFinances, FinanceRevision
from server.i18n import N_
from server.validation import rules
from sync.conflicts import record_conflict
from sync.feed import touch
from sync.merge import merge, stamp
from sync.registry import MutationContext

KIND = "finances"
EMPTY: dict = {}


async def case_in_scope(user: CurrentUser, case_id: object, field: str = "case_id") -> dict:
    """The case by id, or NotFound when absent or outside the user's scope."""
    return await get_in_scope(user, Case, rules.uuid_value(case_id, field), Case.area)


async def area_path(area_id: int) -> str:
    row = await Area.select(Area.path).where(Area.id == area_id).first()
    return row["path"]


def as_record(case_id, data: dict, version: int) -> dict:
    """Finances as the API and the pull show them."""
    return {"case_id": str(case_id), "version": version, "data": data}


async def finances_data(case_id) -> tuple[dict, int]:
    """The document and its version (0: nothing recorded) for a case already checked to be in scope."""
    row = await CaseFinances.select(CaseFinances.data, CaseFinances.version).where(CaseFinances.case == case_id).first()
    if row is None:
        return EMPTY, 0
    return json.loads(row["data"]), row["version"]


async def get_finances(user: CurrentUser, case_id: object) -> dict:
    case = await case_in_scope(user, case_id)
    data, version = await finances_data(case["id"])
    return as_record(case["id"], data, version)


def clean_sections(args: dict) -> dict:
    """The sections present in `args`, validated."""
    sections = {name: CLEANERS[name](args[name]) for name in SECTIONS if name in args and args[name] is not None}
    if not sections:
        raise Invalid(N_("没有要保存的内容：请至少提供 incomes、assets、expenses、circumstances、tekun、temporary 之一"), field="incomes")
    return sections


async def _write(user: CurrentUser, case: dict, data: dict, version: int, changes: dict, *, client_id: str = "") -> int:
    """Store `changes` into the document now at `version`; stamps, feed and history; the new version."""
    new_version = version + 1
    at = now()
    merged = {**data, **changes}
    text = json.dumps(merged, ensure_ascii=False, sort_keys=True)
    if version == 0:
        await CaseFinances.insert(CaseFinances(case=case["id"], area=case["area"], data=text, version=1, updated_by=user.id, updated_at=at))
    else:
        await CaseFinances.update({CaseFinances.data: text, CaseFinances.version: new_version, CaseFinances.updated_by: user.id, CaseFinances.updated_at: at}).where(
            CaseFinances.case == case["id"]
        )
    await stamp(KIND, str(case["id"]), sorted(changes), new_version)
    await FinanceRevision.insert(
        FinanceRevision(case=case["id"], version=new_version, sections=",".join(sorted(changes)), data=json.dumps(changes, ensure_ascii=False), actor=user.id, client_id=client_id[:64], at=at)
    )
    await touch(KIND, str(case["id"]), await area_path(case["area"]), new=version == 0)
    await record(user, "finances.set", "case", str(case["id"]), {"version": new_version, "sections": sorted(changes)})
    return new_version


def _base_version(ctx: MutationContext, args: dict) -> int | None:
    base = ctx.base_version if ctx.base_version is not None else args.get("base_version")
    if base is None:
        return None
    return rules.whole(base, "base_version", maximum=10**9, label=N_("基础版本"))


async def set_finances(ctx: MutationContext, args: dict) -> dict:
    """`finances.set`: replace the sections given; overlapping stale sections become a conflict."""
    user = ctx.actor
    case = await case_in_scope(user, args.get("case_id"))
    sections = clean_sections(args)
    base = _base_version(ctx, args)
    data, version = await finances_data(case["id"])
    if base is not None and base > version:
        raise Invalid(N_("基础版本 {base} 不存在（当前版本 {version}）", base=base, version=version), field="base_version")
    if version == 0:
        apply, conflicts = sections, {}
    else:
        result = await merge(KIND, str(case["id"]), current=data, version=version, base_version=base, changes=sections)
        apply, conflicts = result.apply, result.conflicts
    if apply:
        version = await _write(user, case, data, version, apply, client_id=ctx.client_id)
    answer = {"case_id": str(case["id"]), "version": version, "applied": sorted(apply)}
    if conflicts:
        answer["conflict"] = await record_conflict(
            ctx, kind=KIND, record_id=str(case["id"]), area_path=await area_path(case["area"]), fields=conflicts, server_version=version
        )
    return answer


async def load(actor: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: finances of the cases among `ids` that the actor may see."""
    keys = rules.uuid_keys(ids)
    if not keys:
        return {}
    rows = await CaseFinances.select(CaseFinances.case, CaseFinances.data, CaseFinances.version).where(CaseFinances.case.is_in(keys) & in_scope(actor, CaseFinances.area))
    return {str(r["case"]): as_record(r["case"], json.loads(r["data"]), r["version"]) for r in rows}


async def apply_fields(actor: CurrentUser, record_id: str, values: dict) -> dict:
    """Conflict resolution chose the device's values for these sections: write them."""
    case = await case_in_scope(actor, record_id)
    sections = clean_sections(values)
    data, version = await finances_data(case["id"])
    version = await _write(actor, case, data, version, sections)
    data, version = await finances_data(case["id"])
    return as_record(case["id"], data, version)
