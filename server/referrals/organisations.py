"""Organisations that take referrals: data managed by admins and district officers."""

from __future__ import annotations

from server.accounts.current import CurrentUser
from server.accounts.roles import ADMIN, DISTRICT_OFFICER
from server.areas.scope import area_in_scope
from server.areas.tables import Area
from server.audit.services import record
from server.errors import Conflict, Forbidden, NotFound
from server.i18n import N_
from server.referrals.tables import Organisation
from server.validation import rules

KINDS = {"department": N_("政府部门"), "committee": N_("村（居）委会"), "charity": N_("慈善组织")}
_COLUMNS = (Organisation.all_columns(), Organisation.area.code.as_alias("area_code"), Organisation.area.name.as_alias("area_name"), Organisation.area.path.as_alias("area_path"))


def visible(user: CurrentUser, area_path: str) -> bool:
    """An organisation is visible to those in the area it serves and to those above it."""
    return area_in_scope(user, area_path) or user.area_path.startswith(area_path)


def as_json(row: dict) -> dict:
    return {
        "id": row["id"],
        "name": row["name"],
        "kind": row["kind"],
        "area": row["area_code"],
        "area_name": row["area_name"],
        "contact_name": row["contact_name"],
        "contact_phone": row["contact_phone"],
        "services": row["services"],
        "due_days": row["due_days"],
        "active": row["active"],
        "version": row["version"],
    }


async def list_organisations(user: CurrentUser, *, active_only: bool = False) -> list[dict]:
    query = Organisation.select(*_COLUMNS).order_by(Organisation.kind).order_by(Organisation.name)
    if active_only:
        query = query.where(Organisation.active == True)  # noqa: E712 - a Piccolo condition
    return [row for row in await query if visible(user, row["area_path"])]


async def get_organisation(user: CurrentUser, organisation_id: object) -> dict:
    number = rules.whole(organisation_id, "organisation_id", minimum=1, maximum=2**31 - 1, label=N_("机构编号"))
    row = await Organisation.select(*_COLUMNS).where(Organisation.id == number).first()
    if row is None or not visible(user, row["area_path"]):
        raise NotFound(N_("找不到该机构，或不在您的管辖范围内。"), field="organisation_id")
    return row


def _require_manager(user: CurrentUser) -> None:
    if user.role not in (ADMIN, DISTRICT_OFFICER):
        raise Forbidden(N_("只有管理员或区民政局可以维护转介机构。"))


def clean(data: dict, *, partial: bool = False) -> dict:
    values: dict = {}
    if "name" in data or not partial:
        values["name"] = rules.text(data.get("name"), "name", max_length=200, label="机构名称")
    if "kind" in data or not partial:
        values["kind"] = rules.choice(data.get("kind"), "kind", KINDS, label="机构类别")
    if "contact_name" in data:
        values["contact_name"] = rules.text(data.get("contact_name"), "contact_name", required=False, max_length=100, label="联系人")
    if "contact_phone" in data:
        values["contact_phone"] = rules.phone(data.get("contact_phone"), "contact_phone", required=False)
    if "services" in data:
        values["services"] = rules.text(data.get("services"), "services", required=False, max_length=1000, label="服务内容")
    if "due_days" in data:
        values["due_days"] = rules.whole(data.get("due_days"), "due_days", minimum=1, maximum=365, label="办理时限（天）")
    if "active" in data:
        values["active"] = rules.flag(data.get("active"), "active")
    return values


async def create_organisation(user: CurrentUser, data: dict) -> dict:
    _require_manager(user)
    area = await Area.select().where(Area.code == str(data.get("area") or "")).first()
    if area is None or not area_in_scope(user, area["path"]):
        raise NotFound(N_("找不到该区域，或不在您的管辖范围内。"), field="area")
    values = clean(data)
    row = Organisation(area=area["id"], **values)
    await row.save()
    await record(user, "organisation.create", "organisation", row.id, {"name": values["name"], "area": area["code"]})
    return await get_organisation(user, row.id)


async def update_organisation(user: CurrentUser, organisation_id: object, data: dict) -> dict:
    _require_manager(user)
    row = await get_organisation(user, organisation_id)
    if not area_in_scope(user, row["area_path"]):
        raise NotFound(N_("找不到该机构，或不在您的管辖范围内。"), field="organisation_id")
    if str(data.get("base_version")) != str(row["version"]):
        raise Conflict(N_("该机构信息已被修改（当前版本 {version}），请刷新后再改。", version=row["version"]), field="base_version")
    values = clean({k: v for k, v in data.items() if k != "base_version"}, partial=True)
    await Organisation.update({Organisation.version: row["version"] + 1}, **values).where(Organisation.id == row["id"])
    await record(user, "organisation.update", "organisation", row["id"], {k: str(v) for k, v in values.items()})
    return await get_organisation(user, row["id"])
