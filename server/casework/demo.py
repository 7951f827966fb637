"""Demo data of the casework packages: the Guangzhou 2021 example standard (labelled 示例),
referral organisations, and finances, declarations and referrals for the demo cases."""

from __future__ import annotations

import json
import random
import uuid
from datetime import date, timedelta

from server.areas.tables import Area
from server.cases.tables import Case
from server.clock import now
from server.declarations.tables import Declaration
from server.finances.tables import CaseFinances
from server.households.tables import Person
from server.referrals.tables import Organisation, Referral, ReferralEvent
from server.standards.tables import Standard
from sync.db import write_transaction

EXAMPLE_NOTE = "示例：广州市2021年标准（仅供演示，非正式数据）"
ORGANISATIONS = [
    ("广州市人力资源和社会保障局", "department", "440100", "020-12333", "就业援助、失业保险金"),
    ("广州市慈善会", "charity", "440100", "020-83549999", "慈善救助、物资援助"),
    ("天河区医疗保障局", "department", "440106", "020-38622000", "医疗救助"),
    ("石牌街华师社区居委会", "committee", "440106004001", "020-85211000", "生活照料、探访"),
    ("白云区红十字会", "charity", "440111", "020-36661000", "应急物资"),
]
ALL_SIX = ("eating", "dressing", "bed_transfer", "toileting", "indoor_walking", "bathing")


def _finances(rng: random.Random, case_type: str, size: int) -> dict:
    if case_type == "temporary":
        return {"temporary": {"kind": rng.choice(["urgent", "expense"]), "severity": rng.choice(["general", "serious", "critical"]), "reason": "疫情封控期间收入中断", "expense_amount": "2600.00"}}
    incomes = [{"member": "", "kind": "wage", "amount": f"{rng.randrange(0, 30) * 100}.00", "note": ""}]
    if rng.random() < 0.5:
        incomes.append({"member": "", "kind": "basic_pension", "amount": "200.00", "note": "不计入"})
    data = {
        "incomes": incomes,
        "assets": [{"kind": "deposit", "value": f"{rng.randrange(0, 20) * 1000}.00", "count": 1, "exempt": False, "note": ""}],
        "expenses": [{"member": "", "kind": "illness", "amount": "300.00", "note": "慢性病门诊"}] if rng.random() < 0.3 else [],
        "circumstances": [],
    }
    if case_type == "tekun":
        unmet = rng.randrange(0, 7)
        data["tekun"] = {"supporters": rng.choice(["none", "unable"]), "daily_activities": {k: i >= unmet for i, k in enumerate(ALL_SIX)}}
    return data


async def load_casework_demo(seed: int = 2021) -> dict[str, int]:
    """Add the casework demo rows; returns counts."""
    rng = random.Random(seed)
    at = now()
    areas = {r["code"]: r["id"] for r in await Area.select(Area.id, Area.code)}
    cases = await Case.select().order_by(Case.opened_at)
    sizes: dict = {}
    for person in await Person.select(Person.household):
        sizes[person["household"]] = sizes.get(person["household"], 0) + 1
    finances, declarations, referrals, events = [], [], [], []
    organisations = [Organisation(name=n, kind=k, area=areas[c], contact_phone=p.replace("-", ""), services=s, due_days=10) for n, k, c, p, s in ORGANISATIONS]
    async with write_transaction(Standard._meta.db):
        await Standard.insert(
            Standard(
                area=areas["440100"], effective_from=date(2021, 7, 1), dibao_standard="1120.00", dibao_minimum="50.00",
                low_income_multiple="1.5", tekun_multiple="1.6", temporary_general="1", temporary_serious="2", temporary_critical="3",
                asset_limit_months=24, extension_months=3, is_example=True, note=EXAMPLE_NOTE, created_at=at, updated_at=at,
            )
        )
        inserted = await Organisation.insert(*organisations).returning(Organisation.id)
        org_ids = [row["id"] for row in inserted]
        for case in cases:
            kind, status = case["type"], case["status"]
            if kind in ("dibao", "tekun", "temporary"):
                data = _finances(rng, kind, sizes.get(case["household"], 1))
                finances.append(CaseFinances(case=case["id"], area=case["area"], data=json.dumps(data, ensure_ascii=False, sort_keys=True), version=1, updated_at=at))
            elif kind == "extension" and status != "draft":
                declarations.append(
                    Declaration(
                        id=uuid.UUID(int=rng.getrandbits(128), version=4), case=case["id"], area=case["area"],
                        content="本人承诺家庭收入、财产状况未发生变化，所申报情况真实，如有不实愿承担相应责任。", agreed=True,
                        declared_at=case["opened_at"], evidence_kind=rng.choice(["audio", "video", "photo"]), evidence_ref=f"{rng.getrandbits(256):064x}",
                        extension_months=3, standard_version="standard 440100 2021-07-01（示例）", status="approved" if status == "approved" else "pending",
                        recorded_by=case["opened_by"], recorded_at=case["opened_at"],
                    )
                )
            elif kind == "referral":
                rid = uuid.UUID(int=rng.getrandbits(128), version=4)
                referred = case["opened_at"].date()
                final = status == "closed"
                referrals.append(
                    Referral(
                        id=rid, case=case["id"], area=case["area"], organisation=rng.choice(org_ids), reason="不符合低保条件，但因疫情失业，生活困难",
                        contact_name="申请人本人", contact_phone=f"13{rng.randrange(10**8, 10**9)}", status="done" if final else "referred",
                        referred_on=referred, due_on=referred + timedelta(days=10), status_on=referred + timedelta(days=5) if final else referred,
                        created_by=case["opened_by"], created_at=case["opened_at"],
                    )
                )
                events.append(ReferralEvent(referral=rid, status="referred", happened_on=referred, note="", actor=case["opened_by"], at=case["opened_at"]))
                if final:
                    events.append(ReferralEvent(referral=rid, status="done", happened_on=referred + timedelta(days=5), note="已安排就业援助", actor=case["opened_by"], at=case["opened_at"]))
        for table, rows in ((CaseFinances, finances), (Declaration, declarations), (Referral, referrals), (ReferralEvent, events)):
            if rows:
                await table.insert(*rows)
    return {"standards": 1, "organisations": len(organisations), "finances": len(finances), "declarations": len(declarations), "referrals": len(referrals)}
