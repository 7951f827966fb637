"""The computation itself: pure functions from inputs and a standard to a result, line by line.

Money is Decimal throughout; per-capita income is rounded to the fen (ROUND_HALF_UP) before
it is compared with the standard, and 低保 amount = (standard − per-capita income) × members.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from server import clock
from server.finances.kinds import COUNTED, DAILY_ACTIVITIES, EXPENSE_KINDS, FINANCIAL_ASSETS, INCOME_KINDS, NOT_COUNTED, SEVERITIES, SUPPORTERS, TEMPORARY_KINDS
from server.i18n import N_

RULES_VERSION = "rules:dibao-tekun-2021-07-01/temporary-2018"
CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def yuan(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    return f"{yuan(value):,.2f}"


@dataclass(frozen=True)
class Member:
    name: str
    relation: str = "other"
    birth_date: date | None = None
    disability: str = ""
    serious_illness: bool = False
    labour_capacity: str = "full"

    def age_on(self, on: date) -> int | None:
        return clock.age_on(self.birth_date, on)


@dataclass(frozen=True)
class Figures:
    """A standard's figures, and the name under which the computation cites it."""

    version: str
    dibao_standard: Decimal
    dibao_minimum: Decimal = ZERO
    low_income_multiple: Decimal = Decimal("1.5")
    tekun_multiple: Decimal = Decimal("1.3")
    temporary: dict = field(default_factory=lambda: {"general": Decimal(1), "serious": Decimal(2), "critical": Decimal(3)})
    asset_limit_months: int = 24
    extension_months: int = 3


@dataclass(frozen=True)
class Inputs:
    case_type: str
    on: date
    members: tuple[Member, ...]
    finances: dict
    hukou_type: str = "local_urban"


@dataclass
class Line:
    label: str
    value: str
    note: str = ""


@dataclass
class Check:
    label: str
    passed: bool
    detail: str = ""


OUTCOMES = {
    "eligible": N_("符合条件"),
    "ineligible": N_("不符合条件"),
    "incomplete": N_("资料不完整"),
    "not_applicable": N_("不适用测算"),
}


@dataclass
class Result:
    case_type: str
    outcome: str  # eligible, ineligible, incomplete, not_applicable
    amount: Decimal | None = None
    lines: list[Line] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    rule_versions: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    per_capita_income: Decimal | None = None

    def as_json(self) -> dict:
        data = asdict(self)
        data["amount"] = None if self.amount is None else str(yuan(self.amount))
        data["per_capita_income"] = None if self.per_capita_income is None else str(self.per_capita_income)
        return data


def _money(item: dict, key: str = "amount") -> Decimal:
    return Decimal(str(item.get(key) or "0"))


def _income(inputs: Inputs, figures: Figures, result: Result, not_counted: tuple[str, ...]) -> Decimal:
    """Lines for members, incomes and expenses; returns the per-capita monthly income."""
    n = len(inputs.members)
    result.lines.append(Line(N_("家庭人数"), str(n), "、".join(m.name for m in inputs.members)))
    totals: dict[str, Decimal] = {}
    for item in inputs.finances.get("incomes", []):
        totals[item["kind"]] = totals.get(item["kind"], ZERO) + _money(item)
    counted = ZERO
    for kind in COUNTED:
        if kind in totals:
            counted += totals[kind]
            result.lines.append(Line(INCOME_KINDS[kind], fmt(totals[kind]), N_("计入")))
    for kind, amount in totals.items():
        if kind in not_counted:
            result.lines.append(Line(INCOME_KINDS[kind], fmt(amount), N_("不计入家庭收入")))
        elif kind not in COUNTED:
            counted += amount
            result.lines.append(Line(INCOME_KINDS[kind], fmt(amount), N_("计入")))
    result.lines.append(Line(N_("计入的月收入合计"), fmt(counted)))
    expenses = ZERO
    for kind, label in EXPENSE_KINDS.items():
        amount = sum((_money(e) for e in inputs.finances.get("expenses", []) if e["kind"] == kind), ZERO)
        if amount:
            expenses += amount
            result.lines.append(Line(label, "−" + fmt(amount), N_("刚性支出，予以扣减")))
    net = max(counted - expenses, ZERO)
    if expenses:
        result.lines.append(Line(N_("扣减刚性支出后的月收入"), fmt(net)))
    per_capita = yuan(net / n)
    result.per_capita_income = per_capita
    result.lines.append(Line(N_("家庭人均月收入"), fmt(per_capita), f"{fmt(net)} ÷ {n}"))
    result.lines.append(Line(N_("当地低保标准（元/人/月）"), fmt(figures.dibao_standard), figures.version))
    return per_capita


def _assets(inputs: Inputs, figures: Figures, result: Result) -> bool:
    """Checks of the household's property against the local limits; True when all pass."""
    n = len(inputs.members)
    assets = inputs.finances.get("assets", [])
    financial = sum((_money(a, "value") for a in assets if a["kind"] in FINANCIAL_ASSETS and not a.get("exempt")), ZERO)
    per_capita = yuan(financial / n)
    limit = yuan(figures.dibao_standard * figures.asset_limit_months)
    checks = [
        Check(N_("人均金融资产不超过当地标准的规定月数"), per_capita <= limit, f"{fmt(per_capita)} ≤ {fmt(limit)}（{figures.asset_limit_months} × {fmt(figures.dibao_standard)}）"),
    ]
    vehicles = sum(a.get("count", 1) for a in assets if a["kind"] == "vehicle" and not a.get("exempt"))
    checks.append(Check(N_("无非生活必需的机动车辆"), vehicles == 0, str(vehicles)))
    houses = sum(a.get("count", 1) for a in assets if a["kind"] == "housing" and not a.get("exempt"))
    checks.append(Check(N_("住房不超过一套（豁免的除外）"), houses <= 1, str(houses)))
    result.checks.extend(checks)
    return all(c.passed for c in checks)


def _no_members(result: Result) -> Result:
    result.outcome = "incomplete"
    result.missing.append("members")
    result.lines.append(Line(N_("家庭人数"), "0", N_("请先录入家庭成员")))
    return result


def compute_dibao(inputs: Inputs, figures: Figures) -> Result:
    result = Result("dibao", "ineligible", rule_versions=[RULES_VERSION, figures.version])
    if not inputs.members:
        return _no_members(result)
    if "incomes" not in inputs.finances:
        result.missing.append("incomes")
    per_capita = _income(inputs, figures, result, NOT_COUNTED["dibao"])
    assets_ok = _assets(inputs, figures, result)
    below = per_capita < figures.dibao_standard
    result.checks.insert(0, Check(N_("家庭人均月收入低于当地低保标准"), below, f"{fmt(per_capita)} < {fmt(figures.dibao_standard)}"))
    n = len(inputs.members)
    if below and assets_ok:
        amount = yuan((figures.dibao_standard - per_capita) * n)
        result.lines.append(Line(N_("低保金额（差额救助）"), fmt(amount), f"({fmt(figures.dibao_standard)} − {fmt(per_capita)}) × {n}"))
        if amount < figures.dibao_minimum:
            amount = figures.dibao_minimum
            result.lines.append(Line(N_("按最低低保金额发放"), fmt(amount), figures.version))
        result.amount = amount
        result.outcome = "eligible"
    else:
        result.amount = ZERO
        result.lines.append(Line(N_("低保金额（差额救助）"), fmt(ZERO), N_("不符合条件")))
        low_income = yuan(figures.dibao_standard * figures.low_income_multiple)
        if per_capita < low_income:
            note = N_("低于低收入家庭认定标准：可认定为低收入家庭，或转介其他帮扶")
            formula = f"{figures.low_income_multiple} × {fmt(figures.dibao_standard)}"
            result.lines.append(Line(N_("低收入家庭认定标准"), fmt(low_income), N_("{formula}；{note}", formula=formula, note=note)))
    if result.missing:
        result.outcome = "incomplete"
    return result


def _no_labour_capacity(member: Member, on: date) -> tuple[bool, str]:
    age = member.age_on(on)
    if age is not None and age >= 60:
        return True, N_("{name}：{age}岁（60岁以上）", name=member.name, age=age)
    if age is not None and age < 16:
        return True, N_("{name}：{age}岁（未满16周岁）", name=member.name, age=age)
    if member.disability in ("1", "2"):
        return True, N_("{name}：{grade}级残疾", name=member.name, grade=member.disability)
    if member.labour_capacity == "none":
        return True, N_("{name}：经认定无劳动能力", name=member.name)
    return False, N_("{name}：{age}岁，具有劳动能力", name=member.name, age=age if age is not None else "?")


def care_tier(activities: dict) -> tuple[str, int] | None:
    """The 特困 care tier from the six daily activities (True = can do it alone)."""
    if set(activities) != set(DAILY_ACTIVITIES):
        return None
    unmet = sum(1 for ok in activities.values() if not ok)
    if unmet == 0:
        return N_("具备生活自理能力"), unmet
    if unmet <= 3:
        return N_("部分丧失生活自理能力"), unmet
    return N_("完全丧失生活自理能力"), unmet


def compute_tekun(inputs: Inputs, figures: Figures) -> Result:
    result = Result("tekun", "ineligible", rule_versions=[RULES_VERSION, figures.version])
    if not inputs.members:
        return _no_members(result)
    tekun = inputs.finances.get("tekun", {})
    for key in ("incomes",):
        if key not in inputs.finances:
            result.missing.append(key)
    if "supporters" not in tekun:
        result.missing.append("tekun.supporters")
    applicant = next((m for m in inputs.members if m.relation == "self"), inputs.members[0])
    no_labour, why = _no_labour_capacity(applicant, inputs.on)
    per_capita = _income(inputs, figures, result, NOT_COUNTED["tekun"])
    assets_ok = _assets(inputs, figures, result)
    no_income = per_capita < figures.dibao_standard and assets_ok
    supporters = tekun.get("supporters")
    no_supporter = supporters in ("none", "unable")
    result.checks[:0] = [
        Check(N_("无劳动能力"), no_labour, why),
        Check(N_("无生活来源（收入低于低保标准，财产符合规定）"), no_income, f"{fmt(per_capita)} < {fmt(figures.dibao_standard)}"),
        Check(N_("无法定义务人，或义务人无履行能力"), no_supporter, SUPPORTERS.get(supporters, N_("未填写"))),
    ]
    basic = yuan(figures.dibao_standard * figures.tekun_multiple)
    result.lines.append(Line(N_("特困基本生活标准"), fmt(basic), f"{figures.tekun_multiple} × {fmt(figures.dibao_standard)}"))
    tier = care_tier(tekun.get("daily_activities", {}))
    if tier is None:
        result.lines.append(Line(N_("照料护理等级"), N_("未评估"), N_("六项日常活动未全部填写")))
    else:
        result.lines.append(Line(N_("照料护理等级"), tier[0], N_("{count} / 6 项不能自理", count=tier[1])))
    if no_labour and no_income and no_supporter:
        result.outcome = "eligible"
        result.amount = basic
    else:
        result.amount = ZERO
    if result.missing:
        result.outcome = "incomplete"
    return result


def compute_temporary(inputs: Inputs, figures: Figures) -> Result:
    result = Result("temporary", "incomplete", rule_versions=[RULES_VERSION, figures.version])
    details = inputs.finances.get("temporary", {})
    result.missing.extend(f"temporary.{key}" for key in ("kind", "severity") if key not in details)
    if inputs.hukou_type == "non_local":
        result.lines.append(Line(N_("户籍"), N_("非本地户籍"), N_("因疫情陷入困难的外来务工人员，由居住地或务工地救助")))
    kind = details.get("kind")
    if kind:
        note = N_("可先行救助，事后补齐核对、签字等手续") if kind == "urgent" else N_("按完整程序办理：核对、评议、公示")
        result.lines.append(Line(N_("救助类型"), TEMPORARY_KINDS[kind], note))
    if details.get("expense_amount"):
        result.lines.append(Line(N_("申报的支出金额"), fmt(Decimal(details["expense_amount"]))))
    severity = details.get("severity")
    if severity:
        multiple = figures.temporary[severity]
        amount = yuan(figures.dibao_standard * multiple)
        result.lines.append(Line(N_("当地低保标准（元/人/月）"), fmt(figures.dibao_standard), figures.version))
        formula = f"{multiple} × {fmt(figures.dibao_standard)}"
        result.lines.append(Line(N_("临时救助金额"), fmt(amount), N_("{severity}：{formula}", severity=SEVERITIES[severity], formula=formula)))
        result.amount = amount
    if not result.missing:
        result.outcome = "eligible"
    return result


def compute(inputs: Inputs, figures: Figures) -> Result:
    """The computation for the case's type."""
    if inputs.case_type == "dibao":
        return compute_dibao(inputs, figures)
    if inputs.case_type == "tekun":
        return compute_tekun(inputs, figures)
    if inputs.case_type == "temporary":
        return compute_temporary(inputs, figures)
    result = Result(inputs.case_type, "not_applicable", rule_versions=[RULES_VERSION, figures.version])
    if inputs.case_type == "extension":
        result.lines.append(Line(N_("延期期限"), N_("疫情结束后 {months} 个月", months=figures.extension_months), figures.version))
    return result
