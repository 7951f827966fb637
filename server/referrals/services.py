"""Referrals: created on the phone, followed to their end: 已转介 → 已接收 → 已办结 / 退回."""

from __future__ import annotations

from datetime import timedelta

from server.accounts.current import CurrentUser
from server.areas.scope import get_in_scope, in_scope
from server.audit.services import record
from server.clock import now, today
from server.errors import Conflict, Invalid
from server.finances.services import area_path, case_in_scope
from server.i18n import N_
from server.referrals.organisations import get_organisation
from server.referrals.tables import Referral, ReferralEvent
from server.validation import rules
from sync.feed import touch

STATUSES = {"referred": N_("已转介"), "received": N_("已接收"), "done": N_("已办结"), "returned": N_("退回")}
OPEN = ("referred", "received")
TRANSITIONS = {"referred": ("received", "returned"), "received": ("done", "returned"), "done": (), "returned": ()}
KIND = "referral"


def as_json(row: dict, events: list[dict] | None = None) -> dict:
    data = {
        "id": str(row["id"]),
        "case_id": str(row["case"]),
        "organisation_id": row["organisation"],
        "organisation": row.get("organisation_name"),
        "reason": row["reason"],
        "contact_name": row["contact_name"],
        "contact_phone": row["contact_phone"],
        "status": row["status"],
        "referred_on": row["referred_on"].isoformat(),
        "due_on": row["due_on"].isoformat(),
        "status_on": row["status_on"].isoformat(),
        "overdue": row["status"] in OPEN and row["due_on"] < today(),
        "version": row["version"],
    }
    if events is not None:
        data["events"] = [{"status": e["status"], "on": e["happened_on"].isoformat(), "note": e["note"], "actor": e["actor_name"]} for e in events]
    return data


_COLUMNS = (Referral.all_columns(), Referral.organisation.name.as_alias("organisation_name"))


async def create_referral(user: CurrentUser, args: dict) -> dict:
    """`referral.create`: refer the person of a case to an organisation."""
    referral_id = rules.uuid_value(args.get("id"), "id")
    case = await case_in_scope(user, args.get("case_id"))
    if await Referral.exists().where(Referral.id == referral_id):
        raise Conflict(N_("该转介已记录，不能重复提交"), field="id")
    organisation = await get_organisation(user, args.get("organisation_id"))
    if not organisation["active"]:
        raise Invalid(N_("该机构已停用，请选择其他机构"), field="organisation_id")
    reason = rules.text(args.get("reason"), "reason", max_length=2000, label="转介原因")
    contact_name = rules.text(args.get("contact_name"), "contact_name", max_length=100, label="联系人")
    contact_phone = rules.phone(args.get("contact_phone"), "contact_phone")
    referred_on = rules.day(args.get("referred_on"), "referred_on", required=False, not_after=today()) or today()
    due_on = rules.day(args.get("due_on"), "due_on", required=False) or referred_on + timedelta(days=organisation["due_days"])
    if due_on < referred_on:
        raise Invalid(N_("办结期限不能早于转介日期"), field="due_on")
    await Referral(
        id=referral_id,
        case=case["id"],
        area=case["area"],
        organisation=organisation["id"],
        reason=reason,
        contact_name=contact_name,
        contact_phone=contact_phone,
        status="referred",
        referred_on=referred_on,
        due_on=due_on,
        status_on=referred_on,
        created_by=user.id,
        created_at=now(),
    ).save()
    note = rules.text(args.get("note"), "note", required=False, max_length=1000, label="备注")
    await ReferralEvent(referral=referral_id, status="referred", happened_on=referred_on, note=note, actor=user.id, at=now()).save()
    await touch(KIND, str(referral_id), await area_path(case["area"]), new=True)
    await record(user, "referral.create", "case", str(case["id"]), {"referral": str(referral_id), "organisation": organisation["id"]})
    return {"id": str(referral_id), "status": "referred", "due_on": due_on.isoformat(), "version": 1}


async def update_status(user: CurrentUser, args: dict) -> dict:
    """`referral.update`: the next status, naming the status it expects, with its date and note."""
    row = await get_in_scope(user, Referral, rules.uuid_value(args.get("id"), "id"), Referral.area)
    expected = rules.choice(args.get("expected_status"), "expected_status", STATUSES, label=N_("当前状态"))
    status = rules.choice(args.get("status"), "status", STATUSES, label="新状态")
    if row["status"] != expected:
        raise Conflict(N_("该转介的状态已变为“{status}”，请刷新后再操作", status=STATUSES[row["status"]]), field="status", extra={"expected": expected, "actual": row["status"]})
    if status not in TRANSITIONS[row["status"]]:
        raise Invalid(N_("不能从“{current}”变为“{wanted}”", current=STATUSES[row["status"]], wanted=STATUSES[status]), field="status")
    on = rules.day(args.get("on"), "on", required=False, not_after=today()) or today()
    if on < row["status_on"]:
        raise Invalid(N_("日期不能早于上一步的日期"), field="on")
    note = rules.text(args.get("note"), "note", required=status == "returned", max_length=1000, label="退回原因" if status == "returned" else "备注")
    version = row["version"] + 1
    await Referral.update({Referral.status: status, Referral.status_on: on, Referral.version: version}).where(
        (Referral.id == row["id"]) & (Referral.status == expected)
    )
    await ReferralEvent(referral=row["id"], status=status, happened_on=on, note=note, actor=user.id, at=now()).save()
    await touch(KIND, str(row["id"]), await area_path(row["area"]))
    await record(user, "referral.update", "case", str(row["case"]), {"referral": str(row["id"]), "status": status})
    return {"id": str(row["id"]), "status": status, "version": version}


async def get_referral(user: CurrentUser, referral_id: object) -> dict:
    key = rules.uuid_value(referral_id, "id")
    row = await Referral.select(*_COLUMNS).where((Referral.id == key) & in_scope(user, Referral.area)).first()
    if row is None:
        await get_in_scope(user, Referral, key, Referral.area)  # raises NotFound
    events = await ReferralEvent.select(ReferralEvent.all_columns(), ReferralEvent.actor.display_name.as_alias("actor_name")).where(
        ReferralEvent.referral == key
    ).order_by(ReferralEvent.id)
    return as_json(row, events)


async def list_referrals(user: CurrentUser, *, status: str | None = None, overdue: bool = False, case_id: object = None) -> list[dict]:
    where = in_scope(user, Referral.area)
    if status:
        where &= Referral.status == rules.choice(status, "status", STATUSES, label="状态")
    if overdue:
        where &= Referral.status.is_in(list(OPEN)) & (Referral.due_on < today())
    if case_id:
        where &= Referral.case == rules.uuid_value(case_id, "case_id")
    rows = await Referral.select(*_COLUMNS).where(where).order_by(Referral.due_on)
    return [as_json(r) for r in rows]


async def case_has_referral(case_id) -> bool:
    return await Referral.exists().where(Referral.case == case_id)



async def load(actor: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: the referrals among `ids` in the actor's scope."""
    keys = rules.uuid_keys(ids)
    if not keys:
        return {}
    rows = await Referral.select(*_COLUMNS).where(Referral.id.is_in(keys) & in_scope(actor, Referral.area))
    return {str(r["id"]): as_json(r) for r in rows}
