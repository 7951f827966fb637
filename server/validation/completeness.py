"""Draft versus submit: a case may be saved with missing fields, but goes to review only when
complete. Each case type needs only its own fields; every gap is named with its field."""

from __future__ import annotations

from server.accounts.current import CurrentUser
from server.audit.services import record
from server.cases.tables import Case
from server.clock import now
from server.declarations.tables import Declaration
from server.errors import Conflict, Invalid
from server.finances.kinds import DAILY_ACTIVITIES
from server.finances.services import area_path, case_in_scope, finances_data
from server.households.idnumber import id_number_error
from server.households.tables import Household, Person
from server.i18n import N_
from server.referrals.tables import Referral
from server.validation import rules
from sync.feed import touch
from sync.merge import stamp

SUBMITTABLE = ("draft", "returned")


def _gap(field: str, reason: str) -> dict:
    return {"field": field, "reason": reason}


async def _household_gaps(household_id) -> list[dict]:
    gaps = []
    household = await Household.select().where(Household.id == household_id).first()
    if household is None:
        return [_gap("household_id", N_("未关联家庭"))]
    if not (household["address"] or "").strip():
        gaps.append(_gap("household.address", N_("请填写家庭住址")))
    try:
        rules.phone(household["contact_phone"], "household.contact_phone")
    except Invalid as error:
        gaps.append(_gap("household.contact_phone", error.reason))
    members = await Person.select().where(Person.household == household_id).order_by(Person.position)
    if not members:
        gaps.append(_gap("household.members", N_("请录入家庭成员")))
    elif not any(m["relation"] == "self" for m in members):
        gaps.append(_gap("household.members", N_("请指明申请人（与申请人关系为“本人”的成员）")))
    for index, member in enumerate(members):
        field = f"household.members[{index}].id_number"
        if not (member["id_number"] or "").strip():
            gaps.append(_gap(field, N_("请填写{name}的身份证号", name=member["name"])))
        elif reason := id_number_error(member["id_number"]):
            gaps.append(_gap(field, N_("{name}：{reason}", name=member["name"], reason=reason)))
    return gaps


def _finance_gaps(case_type: str, data: dict) -> list[dict]:
    gaps = []
    if case_type in ("dibao", "tekun"):
        if "incomes" not in data:
            gaps.append(_gap("incomes", N_("请录入家庭成员收入（没有收入也请确认“无收入”）")))
        if "assets" not in data:
            gaps.append(_gap("assets", N_("请录入家庭财产（没有财产也请确认“无财产”）")))
    if case_type == "tekun":
        tekun = data.get("tekun", {})
        if "supporters" not in tekun:
            gaps.append(_gap("tekun.supporters", N_("请填写法定赡养、抚养、扶养义务人情况")))
        missing = [k for k in DAILY_ACTIVITIES if k not in tekun.get("daily_activities", {})]
        if missing:
            gaps.append(_gap("tekun.daily_activities", N_("请评估六项日常生活活动能力")))
    if case_type == "temporary":
        temporary = data.get("temporary", {})
        if "kind" not in temporary:
            gaps.append(_gap("temporary.kind", N_("请选择急难型或支出型")))
        if "severity" not in temporary:
            gaps.append(_gap("temporary.severity", N_("请选择困难程度")))
        if not temporary.get("reason"):
            gaps.append(_gap("temporary.reason", N_("请填写困难原因")))
        if temporary.get("kind") == "expense" and not temporary.get("expense_amount"):
            gaps.append(_gap("temporary.expense_amount", N_("支出型救助请填写支出金额")))
    return gaps


async def completeness(user: CurrentUser, case_id: object) -> dict:
    """{"case_id", "type", "complete", "missing": [{"field", "reason"}]} for a case in scope."""
    case = await case_in_scope(user, case_id)
    gaps = await _household_gaps(case["household"])
    data, _ = await finances_data(case["id"])
    gaps += _finance_gaps(case["type"], data)
    if case["type"] == "extension":
        agreed = await Declaration.exists().where((Declaration.case == case["id"]) & (Declaration.agreed == True))  # noqa: E712
        if not agreed:
            gaps.append(_gap("declaration", N_("请记录申报人的自我申报承诺及证据")))
    if case["type"] == "referral":
        if not await Referral.exists().where(Referral.case == case["id"]):
            gaps.append(_gap("referral", N_("请填写转介机构、原因和联系人")))
    return {"case_id": str(case["id"]), "type": case["type"], "status": case["status"], "complete": not gaps, "missing": gaps}


async def submit_case(user: CurrentUser, args: dict) -> dict:
    """`case.submit`: a draft (or returned) case goes to review, only when complete."""
    case = await case_in_scope(user, args.get("case_id"))
    expected = args.get("expected_status")
    if expected is not None and expected != case["status"]:
        raise Conflict(N_("案件状态已变为“{status}”，与预期的“{expected}”不符", status=case["status"], expected=expected), field="status", extra={"expected": expected, "actual": case["status"]})
    if case["status"] not in SUBMITTABLE:
        raise Conflict(N_("只有草稿或退回补充的案件可以提交审核"), field="status", extra={"expected": list(SUBMITTABLE), "actual": case["status"]})
    check = await completeness(user, case["id"])
    if not check["complete"]:
        first = check["missing"][0]
        raise Invalid(N_("案件资料不完整，不能提交审核：{reason}", reason=first["reason"]), field=first["field"], extra={"missing": check["missing"]})
    version = case["version"] + 1
    at = now()
    # The first submission is when the street receives the application: the deadlines count from it.
    await Case.update({Case.status: "submitted", Case.version: version, Case.updated_at: at, Case.accepted_at: case["accepted_at"] or at}).where(
        (Case.id == case["id"]) & (Case.version == case["version"])
    )
    await stamp("case", str(case["id"]), ["status"], version)
    await touch("case", str(case["id"]), await area_path(case["area"]))
    await record(user, "case.submit", "case", str(case["id"]), {"from": case["status"]})
    return {"case_id": str(case["id"]), "status": "submitted", "version": version}
