"""Reading and managing standards. Which standard applies: the one of the nearest area at or
above the household's area whose effective date is the latest on or before the case date."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from server.accounts.current import CurrentUser
from server.accounts.roles import ADMIN
from server.areas.scope import area_in_scope
from server.areas.tables import Area
from server.audit.services import record
from server.clock import now
from server.errors import Conflict, Forbidden, Invalid, NotFound
from server.i18n import N_
from server.standards.tables import Standard
from server.validation import rules

MONEY_FIELDS = {"dibao_standard": N_("低保标准"), "dibao_minimum": N_("最低低保金额")}
MULTIPLE_FIELDS = {
    "low_income_multiple": N_("低收入倍数"),
    "tekun_multiple": N_("特困基本生活标准倍数"),
    "temporary_general": N_("临时救助倍数（一般）"),
    "temporary_serious": N_("临时救助倍数（较重）"),
    "temporary_critical": N_("临时救助倍数（严重）"),
}
MONTH_FIELDS = {"asset_limit_months": N_("金融资产上限（月数）"), "extension_months": N_("疫情结束后延期月数")}
SEVERITIES = {"general": "temporary_general", "serious": "temporary_serious", "critical": "temporary_critical"}

_COLUMNS = (
    Standard.all_columns(),
    Standard.area.code.as_alias("area_code"),
    Standard.area.name.as_alias("area_name"),
    Standard.area.path.as_alias("area_path"),
)


def as_json(row: dict) -> dict:
    """A standard as the API shows it: amounts and multiples as strings, dates as ISO."""
    return {
        "id": row["id"],
        "area": row["area_code"],
        "area_name": row["area_name"],
        "effective_from": row["effective_from"].isoformat(),
        **{name: row[name] for name in (*MONEY_FIELDS, *MULTIPLE_FIELDS, *MONTH_FIELDS)},
        "is_example": row["is_example"],
        "note": row["note"],
        "version": row["version"],
    }


def rule_version(row: dict) -> str:
    """How a computation names the standard it used."""
    example = "（示例）" if row["is_example"] else ""
    return f"standard#{row['id']} v{row['version']} {row['area_code']} {row['effective_from'].isoformat()}{example}"


def decimals(row: dict) -> dict[str, Decimal]:
    """The standard's figures as Decimals."""
    return {name: Decimal(row[name]) for name in (*MONEY_FIELDS, *MULTIPLE_FIELDS)}


def _visible(user: CurrentUser, area_path: str) -> bool:
    """A standard is visible to those it applies to (at or below its area) and to those above it."""
    return area_in_scope(user, area_path) or user.area_path.startswith(area_path)


async def list_standards(user: CurrentUser) -> list[dict]:
    rows = await Standard.select(*_COLUMNS).order_by(Standard.area.path).order_by(Standard.effective_from, ascending=False)
    return [row for row in rows if _visible(user, row["area_path"])]


async def effective_standard(area_path: str, on: date) -> dict | None:
    """The standard in force for an area (by its path) on a date, or None."""
    rows = await Standard.select(*_COLUMNS).where(Standard.effective_from <= on)
    applicable = [r for r in rows if area_path.startswith(r["area_path"])]
    if not applicable:
        return None
    return max(applicable, key=lambda r: (len(r["area_path"]), r["effective_from"], r["id"]))


async def effective_for_code(user: CurrentUser, area_code: str, on: date) -> dict:
    area = await Area.select().where(Area.code == area_code).first()
    if area is None or not _visible(user, area["path"]):
        raise NotFound(N_("找不到该区域，或不在您的管辖范围内。"), field="area")
    standard = await effective_standard(area["path"], on)
    if standard is None:
        raise NotFound(N_("该区域在该日期没有生效的救助标准，请管理员先录入。"), field="area")
    return standard


def clean(data: dict, *, partial: bool = False) -> dict:
    """Validate a standard's fields; Invalid names the first wrong field."""
    values: dict = {}
    for name in MONEY_FIELDS:
        if name in data or not partial:
            values[name] = rules.money_str(rules.money(data.get(name, "0" if name == "dibao_minimum" else None), name))
    if "dibao_standard" in values and Decimal(values["dibao_standard"]) <= 0:
        raise Invalid(N_("低保标准应大于0"), field="dibao_standard")
    for name in MULTIPLE_FIELDS:
        if name in data or not partial:
            default = {"low_income_multiple": "1.5", "tekun_multiple": "1.3", "temporary_general": "1", "temporary_serious": "2", "temporary_critical": "3"}[name]
            values[name] = str(rules.ratio(data.get(name, default), name))
    if "tekun_multiple" in values and Decimal(values["tekun_multiple"]) < Decimal("1.3"):
        raise Invalid(N_("特困基本生活标准不得低于低保标准的1.3倍"), field="tekun_multiple")
    for name in MONTH_FIELDS:
        if name in data or not partial:
            values[name] = rules.whole(data.get(name, 24 if name == "asset_limit_months" else 3), name, maximum=120, label=N_("月数"))
    if "effective_from" in data or not partial:
        values["effective_from"] = rules.day(data.get("effective_from"), "effective_from")
    if "note" in data:
        values["note"] = rules.text(data.get("note"), "note", required=False, max_length=500, label="说明")
    if "is_example" in data:
        values["is_example"] = bool(data.get("is_example"))
    return values


def _require_admin(user: CurrentUser) -> None:
    if user.role != ADMIN:
        raise Forbidden(N_("只有管理员可以维护救助标准。"))


async def create_standard(user: CurrentUser, data: dict) -> dict:
    _require_admin(user)
    area = await Area.select().where(Area.code == str(data.get("area") or "")).first()
    if area is None or not area_in_scope(user, area["path"]):
        raise NotFound(N_("找不到该区域，或不在您的管辖范围内。"), field="area")
    values = clean(data)
    taken = await Standard.exists().where((Standard.area == area["id"]) & (Standard.effective_from == values["effective_from"]))
    if taken:
        raise Conflict(N_("该区域在该日期已有一条标准，请修改那一条。"), field="effective_from")
    at = now()
    row = Standard(area=area["id"], created_by=user.id, created_at=at, updated_at=at, **values)
    await row.save()
    await record(user, "standard.create", "standard", row.id, {"area": area["code"], **{k: str(v) for k, v in values.items()}})
    return await get_standard(user, row.id)


async def get_standard(user: CurrentUser, standard_id: int) -> dict:
    row = await Standard.select(*_COLUMNS).where(Standard.id == standard_id).first()
    if row is None or not _visible(user, row["area_path"]):
        raise NotFound()
    return row


async def update_standard(user: CurrentUser, standard_id: int, data: dict) -> dict:
    """Change figures; `base_version` must be the version the admin saw."""
    _require_admin(user)
    row = await get_standard(user, standard_id)
    if not area_in_scope(user, row["area_path"]):
        raise NotFound()
    base = data.get("base_version")
    if base is None or str(base) != str(row["version"]):
        raise Conflict(N_("该标准已被修改（当前版本 {version}），请刷新后再改。", version=row["version"]), field="base_version")
    values = clean({k: v for k, v in data.items() if k != "base_version"}, partial=True)
    if not values:
        raise Invalid(N_("没有要修改的内容"))
    updated = await Standard.update({Standard.version: row["version"] + 1, Standard.updated_at: now()}, **values).where(
        (Standard.id == standard_id) & (Standard.version == row["version"])
    ).returning(Standard.id)
    if not updated:
        raise Conflict(N_("该标准刚被他人修改，请刷新后再改。"), field="base_version")
    await record(user, "standard.update", "standard", standard_id, {k: str(v) for k, v in values.items()})
    return await get_standard(user, standard_id)
