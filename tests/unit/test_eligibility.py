"""Eligibility computed on worked examples with exact amounts (Guangzhou 2021 example figures)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from server.eligibility.compute import Figures, Inputs, Member, care_tier, compute

GZ = Figures(
    version="standard#1 v1 440100 2021-07-01（示例）",
    dibao_standard=Decimal("1120.00"),
    dibao_minimum=Decimal("50.00"),
    tekun_multiple=Decimal("1.6"),
    temporary={"general": Decimal("1"), "serious": Decimal("2"), "critical": Decimal("3")},
    asset_limit_months=24,
)
ON = date(2022, 4, 1)
ADULTS = (Member("王伟", "self", date(1980, 5, 1)), Member("李芳", "spouse", date(1982, 3, 2)), Member("王明", "child", date(2012, 9, 9)))
ALL_ACTIVITIES = {k: True for k in ("eating", "dressing", "bed_transfer", "toileting", "indoor_walking", "bathing")}


def dibao(finances: dict, members=ADULTS, figures=GZ):
    return compute(Inputs("dibao", ON, tuple(members), {"assets": [], **finances}), figures)


def line(result, label: str):
    return next(item for item in result.lines if item.label == label)


def test_dibao_three_members_with_1800_counted_income_get_1560():
    result = dibao({"incomes": [{"member": "王伟", "kind": "wage", "amount": "1800.00"}]})
    assert result.per_capita_income == Decimal("600.00")
    assert result.amount == Decimal("1560.00")
    assert isinstance(result.amount, Decimal)
    assert result.outcome == "eligible"
    assert line(result, "低保金额（差额救助）").note == "(1,120.00 − 600.00) × 3"
    assert GZ.version in result.rule_versions


def test_dibao_not_counted_income_kinds_leave_the_amount_unchanged():
    incomes = [
        {"kind": "wage", "amount": "1800.00"},
        {"kind": "youfu", "amount": "500.00"},
        {"kind": "award", "amount": "300.00"},
        {"kind": "assistance", "amount": "900.00"},
        {"kind": "basic_pension", "amount": "200.00"},
    ]
    result = dibao({"incomes": incomes})
    assert result.amount == Decimal("1560.00")
    assert line(result, "优抚金").note == "不计入家庭收入"
    assert line(result, "城乡居民基础养老金").note == "不计入家庭收入"
    assert line(result, "计入的月收入合计").value == "1,800.00"


def test_dibao_counted_kinds_add_up():
    incomes = [
        {"kind": "wage", "amount": "1000.00"},
        {"kind": "business", "amount": "300.50"},
        {"kind": "property", "amount": "200.00"},
        {"kind": "transfer", "amount": "299.50"},
    ]
    result = dibao({"incomes": incomes})
    assert line(result, "计入的月收入合计").value == "1,800.00"
    assert result.amount == Decimal("1560.00")


def test_dibao_deducts_necessary_expenses_before_per_capita():
    result = dibao({"incomes": [{"kind": "wage", "amount": "2400.00"}], "expenses": [{"kind": "illness", "amount": "450.00"}, {"kind": "disability", "amount": "150.00"}]})
    assert line(result, "扣减刚性支出后的月收入").value == "1,800.00"
    assert result.per_capita_income == Decimal("600.00")
    assert result.amount == Decimal("1560.00")


def test_dibao_expenses_larger_than_income_give_zero_income_not_negative():
    result = dibao({"incomes": [{"kind": "wage", "amount": "300.00"}], "expenses": [{"kind": "employment", "amount": "500.00"}]})
    assert result.per_capita_income == Decimal("0.00")
    assert result.amount == Decimal("3360.00")


def test_dibao_rounds_per_capita_income_to_the_fen():
    result = dibao({"incomes": [{"kind": "wage", "amount": "1000.00"}]})
    assert result.per_capita_income == Decimal("333.33")
    assert result.amount == Decimal("2360.01")


def test_dibao_income_at_the_standard_is_not_eligible():
    result = dibao({"incomes": [{"kind": "wage", "amount": "3360.00"}]})
    assert result.per_capita_income == Decimal("1120.00")
    assert result.outcome == "ineligible"
    assert result.amount == Decimal("0.00")
    assert result.checks[0].passed is False
    assert line(result, "低收入家庭认定标准").value == "1,680.00"


def test_dibao_above_the_low_income_threshold_gets_no_low_income_hint():
    result = dibao({"incomes": [{"kind": "wage", "amount": "6000.00"}]})
    assert result.per_capita_income == Decimal("2000.00")
    assert all(item.label != "低收入家庭认定标准" for item in result.lines)


def test_dibao_small_difference_is_raised_to_the_minimum():
    result = dibao({"incomes": [{"kind": "wage", "amount": "1100.00"}]}, members=ADULTS[:1])
    assert line(result, "低保金额（差额救助）").value == "20.00"
    assert result.amount == Decimal("50.00")
    assert line(result, "按最低低保金额发放").value == "50.00"


def test_dibao_financial_assets_over_the_limit_make_it_ineligible():
    result = dibao({"incomes": [], "assets": [{"kind": "deposit", "value": "90000.00", "count": 1, "exempt": False}]})
    check = next(c for c in result.checks if c.label == "人均金融资产不超过当地标准的规定月数")
    assert check.passed is False
    assert check.detail.startswith("30,000.00 ≤ 26,880.00")
    assert result.outcome == "ineligible"


def test_dibao_exempt_vehicle_does_not_count_but_a_car_does():
    exempt = dibao({"incomes": [], "assets": [{"kind": "vehicle", "value": "8000.00", "count": 1, "exempt": True}]})
    assert exempt.outcome == "eligible"
    assert exempt.amount == Decimal("3360.00")
    car = dibao({"incomes": [], "assets": [{"kind": "vehicle", "value": "80000.00", "count": 1, "exempt": False}]})
    assert car.outcome == "ineligible"


def test_dibao_without_incomes_recorded_is_incomplete():
    result = compute(Inputs("dibao", ON, ADULTS, {}), GZ)
    assert result.outcome == "incomplete"
    assert "incomes" in result.missing


def test_dibao_uses_the_figures_it_is_given():
    shenzhen_like = Figures(version="other", dibao_standard=Decimal("1300.00"))
    result = dibao({"incomes": [{"kind": "wage", "amount": "1800.00"}]}, figures=shenzhen_like)
    assert result.amount == Decimal("2100.00")


def _tekun(members, finances):
    return compute(Inputs("tekun", ON, tuple(members), {"incomes": [], "assets": [], **finances}), GZ)


ELDER = Member("陈桂英", "self", date(1950, 1, 1))


def test_tekun_elder_without_income_or_supporter_gets_1_6_times_the_standard():
    result = _tekun([ELDER], {"tekun": {"supporters": "none", "daily_activities": ALL_ACTIVITIES}})
    assert [c.passed for c in result.checks[:3]] == [True, True, True]
    assert result.outcome == "eligible"
    assert result.amount == Decimal("1792.00")
    assert line(result, "特困基本生活标准").note == "1.6 × 1,120.00"
    assert line(result, "照料护理等级").value == "具备生活自理能力"


def test_tekun_elderly_allowance_and_pension_are_not_counted_but_are_for_dibao():
    incomes = [{"kind": "elderly_allowance", "amount": "1200.00"}, {"kind": "basic_pension", "amount": "200.00"}]
    tekun = _tekun([ELDER], {"incomes": incomes, "tekun": {"supporters": "unable"}})
    assert tekun.per_capita_income == Decimal("0.00")
    assert tekun.outcome == "eligible"
    assert tekun.amount == Decimal("1792.00")
    as_dibao = dibao({"incomes": incomes}, members=[ELDER])
    assert as_dibao.per_capita_income == Decimal("1200.00")
    assert as_dibao.outcome == "ineligible"


def test_tekun_able_supporter_fails_the_third_condition():
    result = _tekun([ELDER], {"tekun": {"supporters": "able"}})
    assert result.checks[2].passed is False
    assert result.outcome == "ineligible"
    assert result.amount == Decimal("0.00")


def test_tekun_working_age_applicant_has_labour_capacity():
    worker = Member("赵强", "self", date(1985, 6, 1))
    assert _tekun([worker], {"tekun": {"supporters": "none"}}).checks[0].passed is False
    disabled = Member("赵强", "self", date(1985, 6, 1), disability="2")
    assert _tekun([disabled], {"tekun": {"supporters": "none"}}).outcome == "eligible"
    child = Member("赵小", "self", date(2010, 6, 1))
    assert _tekun([child], {"tekun": {"supporters": "none"}}).checks[0].passed is True


def test_tekun_without_supporters_answered_is_incomplete():
    result = _tekun([ELDER], {"tekun": {}})
    assert result.outcome == "incomplete"
    assert "tekun.supporters" in result.missing


def test_care_tier_counts_the_activities_not_met():
    assert care_tier(ALL_ACTIVITIES)[0] == "具备生活自理能力"
    three = {**ALL_ACTIVITIES, "eating": False, "dressing": False, "bathing": False}
    assert care_tier(three) == ("部分丧失生活自理能力", 3)
    four = {**three, "toileting": False}
    assert care_tier(four) == ("完全丧失生活自理能力", 4)
    assert care_tier({"eating": True}) is None


def test_temporary_amount_is_the_severity_multiple_of_the_standard():
    for severity, amount in (("general", "1120.00"), ("serious", "2240.00"), ("critical", "3360.00")):
        result = compute(Inputs("temporary", ON, ADULTS, {"temporary": {"kind": "urgent", "severity": severity, "reason": "隔离"}}), GZ)
        assert result.outcome == "eligible"
        assert result.amount == Decimal(amount)


def test_temporary_urgent_aids_first_and_expense_follows_the_full_procedure():
    urgent = compute(Inputs("temporary", ON, ADULTS, {"temporary": {"kind": "urgent", "severity": "general"}}), GZ)
    assert line(urgent, "救助类型").note == "可先行救助，事后补齐核对、签字等手续"
    expense = compute(Inputs("temporary", ON, ADULTS, {"temporary": {"kind": "expense", "severity": "general"}}), GZ)
    assert line(expense, "救助类型").note == "按完整程序办理：核对、评议、公示"


def test_temporary_migrant_worker_without_local_hukou_is_aided_where_they_live():
    result = compute(Inputs("temporary", ON, ADULTS[:1], {"temporary": {"kind": "urgent", "severity": "serious"}}, hukou_type="non_local"), GZ)
    assert line(result, "户籍").value == "非本地户籍"
    assert result.amount == Decimal("2240.00")


def test_temporary_without_severity_is_incomplete_with_no_amount():
    result = compute(Inputs("temporary", ON, ADULTS, {"temporary": {"kind": "urgent"}}), GZ)
    assert result.outcome == "incomplete"
    assert result.amount is None
    assert result.missing == ["temporary.severity"]


def test_result_json_carries_amounts_as_strings():
    data = dibao({"incomes": [{"kind": "wage", "amount": "1800.00"}]}).as_json()
    assert data["amount"] == "1560.00"
    assert data["per_capita_income"] == "600.00"
    assert data["rule_versions"][1] == GZ.version
