"""Gathering a case's inputs, computing, and keeping a snapshot when asked."""

from __future__ import annotations

import json
import uuid
from datetime import date
from decimal import Decimal

from server.accounts.current import CurrentUser
from server.areas.scope import get_in_scope
from server.areas.tables import Area
from server.audit.services import record
from server.clock import local_date, now
from server.eligibility.compute import Figures, Inputs, Member, Result, compute
from server.eligibility.tables import EligibilitySnapshot
from server.errors import NotFound
from server.finances.services import case_in_scope, finances_data
from server.households.tables import Household, Person
from server.i18n import N_
from server.standards.services import SEVERITIES, as_json, effective_standard, rule_version
from server.validation.rules import uuid_value


def case_date(case: dict) -> date:
    """The date that picks the standard: the day the case was opened, in local time."""
    return local_date(case["opened_at"])


def figures_of(standard: dict) -> Figures:
    return Figures(
        version=rule_version(standard),
        dibao_standard=Decimal(standard["dibao_standard"]),
        dibao_minimum=Decimal(standard["dibao_minimum"]),
        low_income_multiple=Decimal(standard["low_income_multiple"]),
        tekun_multiple=Decimal(standard["tekun_multiple"]),
        temporary={severity: Decimal(standard[column]) for severity, column in SEVERITIES.items()},
        asset_limit_months=standard["asset_limit_months"],
        extension_months=standard["extension_months"],
    )


async def members_of(household_id) -> list[Member]:
    rows = await Person.select().where(Person.household == household_id).order_by(Person.position)
    return [
        Member(
            name=r["name"],
            relation=r["relation"],
            birth_date=r["birth_date"],
            disability=r["disability"] or "",
            serious_illness=bool(r["serious_illness"]),
            labour_capacity=r["labour_capacity"] or "full",
        )
        for r in rows
    ]


async def gather(user: CurrentUser, case_id: object) -> tuple[dict, Inputs, dict, int]:
    """(case, inputs, standard row, finances version) for a case in the user's scope."""
    case = await case_in_scope(user, case_id)
    area = await Area.select(Area.path, Area.code).where(Area.id == case["area"]).first()
    on = case_date(case)
    standard = await effective_standard(area["path"], on)
    if standard is None:
        raise NotFound(N_("{area} 在 {day} 没有生效的救助标准，请管理员先录入。", area=area["code"], day=on.isoformat()), field="standard")
    household = await Household.select(Household.hukou_type).where(Household.id == case["household"]).first()
    finances, version = await finances_data(case["id"])
    inputs = Inputs(
        case_type=case["type"],
        on=on,
        members=tuple(await members_of(case["household"])),
        finances=finances,
        hukou_type=household["hukou_type"] if household else "local_urban",
    )
    return case, inputs, standard, version


async def eligibility(user: CurrentUser, case_id: object) -> dict:
    """The computation for a case now, from its current inputs."""
    case, inputs, standard, version = await gather(user, case_id)
    result = compute(inputs, figures_of(standard))
    return _answer(case, result, standard, version)


def _answer(case: dict, result: Result, standard: dict, finances_version: int) -> dict:
    return {
        "case_id": str(case["id"]),
        "case_version": case["version"],
        "finances_version": finances_version,
        "standard": as_json(standard),
        **result.as_json(),
    }


def _inputs_json(inputs: Inputs) -> dict:
    return {
        "case_type": inputs.case_type,
        "on": inputs.on.isoformat(),
        "hukou_type": inputs.hukou_type,
        "members": [{**m.__dict__, "birth_date": m.birth_date.isoformat() if m.birth_date else None} for m in inputs.members],
        "finances": inputs.finances,
    }


async def snapshot(user: CurrentUser, case_id: object, purpose: str = "") -> dict:
    """Compute and store the result with its inputs; returns the answer with `snapshot_id`."""
    case, inputs, standard, version = await gather(user, case_id)
    result = compute(inputs, figures_of(standard))
    answer = _answer(case, result, standard, version)
    snapshot_id = uuid.uuid4()
    await EligibilitySnapshot.insert(
        EligibilitySnapshot(
            id=snapshot_id,
            case=case["id"],
            area=case["area"],
            case_type=case["type"],
            outcome=result.outcome,
            amount=answer["amount"],
            rule_versions=json.dumps(result.rule_versions, ensure_ascii=False),
            result=json.dumps(answer, ensure_ascii=False),
            inputs=json.dumps({**_inputs_json(inputs), "standard": as_json(standard)}, ensure_ascii=False),
            finances_version=version,
            case_version=case["version"],
            purpose=purpose[:32],
            created_by=user.id,
            created_at=now(),
        )
    )
    await record(user, "eligibility.snapshot", "case", str(case["id"]), {"snapshot": str(snapshot_id), "outcome": result.outcome, "amount": answer["amount"]})
    return {"snapshot_id": str(snapshot_id), **answer}


async def get_snapshot(user: CurrentUser, snapshot_id: object) -> dict:
    """A stored result, as it was computed then (scoped by the case's area)."""
    row = await get_in_scope(user, EligibilitySnapshot, uuid_value(snapshot_id, "snapshot_id"), EligibilitySnapshot.area)
    return {
        "snapshot_id": str(row["id"]),
        "created_at": row["created_at"].isoformat(),
        "purpose": row["purpose"],
        "result": json.loads(row["result"]),
        "inputs": json.loads(row["inputs"]),
    }
