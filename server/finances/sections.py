"""Validating each section of a finances document; errors name the field as `section[i].key`."""

from __future__ import annotations

from server.errors import Invalid
from server.finances.kinds import (
    ASSET_KINDS,
    CIRCUMSTANCE_KINDS,
    DAILY_ACTIVITIES,
    EXPENSE_KINDS,
    INCOME_KINDS,
    SEVERITIES,
    SUPPORTERS,
    TEMPORARY_KINDS,
)
from server.i18n import N_
from server.validation import rules

MAX_ITEMS = 100


def _items(value: object, section: str) -> list[dict]:
    if not isinstance(value, list):
        raise Invalid(N_("应为列表"), field=section)
    if len(value) > MAX_ITEMS:
        raise Invalid(N_("最多{count}项", count=MAX_ITEMS), field=section)
    for index, item in enumerate(value):
        if not isinstance(item, dict):
            raise Invalid(N_("每一项应为对象"), field=f"{section}[{index}]")
    return value  # type: ignore[return-value]


def _amount(item: dict, field: str, key: str = "amount") -> str:
    return rules.money_str(rules.money(item.get(key), f"{field}.{key}"))  # type: ignore[return-value]


def _note(item: dict, field: str) -> str:
    return rules.text(item.get("note"), f"{field}.note", required=False, max_length=300, label="备注")


def _member(item: dict, field: str) -> str:
    return rules.text(item.get("member"), f"{field}.member", required=False, max_length=100, label="家庭成员")


def _member_amounts(value: object, section: str, kinds, label: str) -> list[dict]:
    """Incomes and necessary expenses alike: a member, a kind, a monthly amount and a note."""
    out = []
    for i, item in enumerate(_items(value, section)):
        field = f"{section}[{i}]"
        out.append(
            {
                "member": _member(item, field),
                "kind": rules.choice(item.get("kind"), f"{field}.kind", kinds, label=label),
                "amount": _amount(item, field),
                "note": _note(item, field),
            }
        )
    return out


def clean_incomes(value: object) -> list[dict]:
    return _member_amounts(value, "incomes", INCOME_KINDS, "收入类别")


def clean_expenses(value: object) -> list[dict]:
    return _member_amounts(value, "expenses", EXPENSE_KINDS, "刚性支出类别")


def clean_assets(value: object) -> list[dict]:
    out = []
    for i, item in enumerate(_items(value, "assets")):
        field = f"assets[{i}]"
        out.append(
            {
                "kind": rules.choice(item.get("kind"), f"{field}.kind", ASSET_KINDS, label="财产类别"),
                "value": _amount(item, field, "value"),
                "count": rules.whole(item.get("count", 1), f"{field}.count", maximum=1000, label="数量"),
                "exempt": rules.flag(item.get("exempt", False), f"{field}.exempt"),
                "note": _note(item, field),
            }
        )
    return out


def clean_circumstances(value: object) -> list[dict]:
    out = []
    for i, item in enumerate(_items(value, "circumstances")):
        field = f"circumstances[{i}]"
        kind = rules.choice(item.get("kind"), f"{field}.kind", CIRCUMSTANCE_KINDS, label="特殊情况")
        detail = rules.text(item.get("detail"), f"{field}.detail", required=False, max_length=100, label="说明")
        if kind == "disability":
            detail = rules.choice(str(item.get("detail") or ""), f"{field}.detail", ("1", "2", "3", "4"), label="残疾等级")
        out.append({"member": _member(item, field), "kind": kind, "detail": detail, "note": _note(item, field)})
    return out


def clean_tekun(value: object) -> dict:
    if not isinstance(value, dict):
        raise Invalid(N_("应为对象"), field="tekun")
    out: dict = {}
    if value.get("supporters") not in (None, ""):
        out["supporters"] = rules.choice(value.get("supporters"), "tekun.supporters", SUPPORTERS, label=N_("赡养义务人情况"))
    activities = value.get("daily_activities")
    if activities is not None:
        if not isinstance(activities, dict):
            raise Invalid(N_("应为对象"), field="tekun.daily_activities")
        unknown = set(activities) - set(DAILY_ACTIVITIES)
        if unknown:
            raise Invalid(N_("未知的日常活动：{activity}", activity=sorted(unknown)[0]), field="tekun.daily_activities")
        out["daily_activities"] = {k: rules.flag(v, f"tekun.daily_activities.{k}") for k, v in activities.items()}
    return out


def clean_temporary(value: object) -> dict:
    if not isinstance(value, dict):
        raise Invalid(N_("应为对象"), field="temporary")
    out: dict = {}
    if value.get("kind") not in (None, ""):
        out["kind"] = rules.choice(value.get("kind"), "temporary.kind", TEMPORARY_KINDS, label=N_("临时救助类型"))
    if value.get("severity") not in (None, ""):
        out["severity"] = rules.choice(value.get("severity"), "temporary.severity", SEVERITIES, label="困难程度")
    out["reason"] = rules.text(value.get("reason"), "temporary.reason", required=False, max_length=1000, label="困难原因")
    if value.get("expense_amount") not in (None, ""):
        out["expense_amount"] = rules.money_str(rules.money(value.get("expense_amount"), "temporary.expense_amount"))
    return out


CLEANERS = {
    "incomes": clean_incomes,
    "assets": clean_assets,
    "expenses": clean_expenses,
    "circumstances": clean_circumstances,
    "tekun": clean_tekun,
    "temporary": clean_temporary,
}
