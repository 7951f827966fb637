"""Decisions on a case: approve, reject, return for more evidence, 公示 objection, assign.

Every decision names the status and version of the case the supervisor saw; if the case changed
meanwhile the decision is refused (409) with an explanation, never applied to a state the
supervisor did not see. The procedure in force is stored with each decision.
"""

from __future__ import annotations

import uuid
from datetime import date

from server import clock
from server.accounts.current import CurrentUser
from server.accounts.roles import ADMIN, DISTRICT_OFFICER, GRID_WORKER
from server.accounts.tables import User
from server.areas.scope import in_scope
from server.audit.services import record
from server.cases.kinds import STATUSES
from server.cases.tables import Case
from server.clock import now
from server.errors import AppError, Conflict, Forbidden, Invalid, NotFound
from server.i18n import N_
from server.procedures import services as procedures
from server.procedures.rules import PUBLICITY_DAYS, publicity_over
from server.review.reasons import ACTIONS, REJECT_REASONS
from server.review.tables import Decision
from server.review.tasks import open_task, reassign_open_tasks
from sync import feed, merge
from sync.db import write_transaction

# From which statuses each action may be taken.
ALLOWED_FROM = {
    "approve": ("submitted", "publicizing"),
    "reject": ("submitted", "publicizing"),
    "return": ("submitted", "publicizing"),
    "object": ("publicizing",),
    "assign": ("submitted", "investigating", "returned", "publicizing"),
}


async def load_case(user: CurrentUser, case_id) -> dict:
    row = await Case.select(Case.all_columns(), Case.area.path.as_alias("area_path")).where((Case.id == case_id) & in_scope(user, Case.area)).first()
    if row is None:
        raise NotFound(N_("找不到该案件，或不在您的管辖范围内。"))
    return row


def _int(value, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Invalid(N_("缺少案件版本号，请刷新页面后再决定。"), field=field) from exc


def check_expected(case: dict, expected_status: str, expected_version: int) -> None:
    """Refuse a decision taken on a state of the case other than the current one."""
    if case["status"] == expected_status and case["version"] == expected_version:
        return
    raise Conflict(
        N_(
            "案件在您查看后已有变化：您看到的是第 {seen_version} 版（{seen}），现在是第 {version} 版（{status}）。"
            "决定未执行，请查看最新情况后再决定。",
            seen_version=expected_version,
            seen=STATUSES.get(expected_status, expected_status),
            version=case["version"],
            status=STATUSES.get(case["status"], case["status"]),
        ),
        field="expected_version",
        extra={
            "expected": {"status": expected_status, "version": expected_version},
            "actual": {"status": case["status"], "version": case["version"]},
        },
    )


async def last_publicity_start(case_id) -> date | None:
    row = await Decision.select(Decision.decided_at).where((Decision.case == case_id) & (Decision.to_status == "publicizing")).order_by(
        Decision.decided_at, ascending=False
    ).first()
    return clock.local_date(row["decided_at"]) if row else None


async def _approve(user: CurrentUser, case: dict, rules: dict, form: dict) -> tuple[str, str]:
    """(new status, step) of an approval under the rules in force."""
    emergency = rules["procedure"] == "emergency"
    if case["status"] == "submitted":
        if emergency:
            return "approved", "final"  # the street's approval is final; the district spot-checks
        if not form.get("in_person_confirmed"):
            raise Invalid(
                N_("常规程序须由两名工作人员入户调查，非接触走访只在应急简易程序中可以替代入户调查。请确认已完成入户调查后再提出初审意见。"),
                field="in_person_confirmed",
            )
        return "publicizing", "preliminary"
    # publicizing: the decision after the 公示
    started = await last_publicity_start(case["id"])
    if not publicity_over(started, clock.today()):
        raise Invalid(N_("公示期为 {days} 天，尚未期满，不能作出审批决定。", days=PUBLICITY_DAYS), field="action")
    if user.role not in (DISTRICT_OFFICER, ADMIN) and not rules["delegated"]:
        raise Forbidden(N_("常规程序下由区民政局作出审批决定（本区未委托镇街审批）。"))
    return "approved", "final"


async def _target(user: CurrentUser, case: dict, rules: dict, form: dict) -> tuple[str, str]:
    action = form["action"]
    if action == "approve":
        return await _approve(user, case, rules, form)
    if action == "reject":
        if case["type"] == "extension" and rules["procedure"] == "emergency":
            raise Invalid(N_("应急简易程序期间暂停退出：延期申报的案件不能作不予批准处理，请待应急期结束后再办理。"), field="action")
        return "rejected", "final"
    if action == "return":
        return "returned", ""
    if action == "object":
        return "investigating", ""
    return case["status"], ""


def clean_form(form: dict) -> dict:
    action = str(form.get("action") or "")
    if action not in ACTIONS:
        raise Invalid(N_("请选择一种决定：批准、不予批准、退回补充、公示异议或改派。"), field="action")
    data = {
        "action": action,
        "expected_status": str(form.get("expected_status") or ""),
        "expected_version": _int(form.get("expected_version"), "expected_version"),
        "reason_code": str(form.get("reason_code") or ""),
        "reason_text": str(form.get("reason_text") or "").strip()[:2000],
        "request": str(form.get("request") or "").strip()[:2000],
        "assignee": form.get("assignee"),
        "in_person_confirmed": str(form.get("in_person_confirmed") or "") in ("1", "on", "true", "True"),
    }
    if action == "reject":
        if data["reason_code"] not in REJECT_REASONS:
            raise Invalid(N_("请从列表中选择不予批准的理由。"), field="reason_code")
        if data["reason_code"] == "other" and not data["reason_text"]:
            raise Invalid(N_("选择“其他原因”时请写明理由。"), field="reason_text")
    if action in ("return", "object") and not data["request"]:
        raise Invalid(N_("请写明需要网格员补充或重新调查的内容，例如“请补充: 厨房照片”。"), field="request")
    if action == "assign":
        data["assignee"] = _int(data["assignee"], "assignee")
    return data


async def _assignee(user: CurrentUser, case: dict, worker_id: int) -> dict:
    worker = await User.select(User.id, User.display_name, User.role, User.area.path.as_alias("area_path")).where(
        (User.id == worker_id) & in_scope(user, User.area) & (User.active == True)  # noqa: E712
    ).first()
    if worker is None or worker["role"] != GRID_WORKER:
        raise Invalid(N_("请选择您管辖范围内的一名网格员。"), field="assignee")
    if not case["area_path"].startswith(worker["area_path"]):
        raise Invalid(N_("{name} 负责的社区不包含此案件，无法在手机上看到它。", name=worker["display_name"]), field="assignee")
    if worker["id"] == case["assigned_to"]:
        raise Invalid(N_("案件已由该网格员负责。"), field="assignee")
    return worker


async def decide(user: CurrentUser, case_id, form: dict) -> dict:
    """Take a decision; answers {"decision", "case", "task"?}. Conflict (409) when the case changed."""
    data = clean_form(form)
    case = await load_case(user, case_id)
    check_expected(case, data["expected_status"], data["expected_version"])
    if case["status"] not in ALLOWED_FROM[data["action"]]:
        raise Invalid(N_("案件当前为“{status}”，不能{action}。", status=STATUSES[case["status"]], action=ACTIONS[data["action"]]), field="action")
    rules = await procedures.procedure_in_force(case["area_path"])
    to_status, step = await _target(user, case, rules, data)
    worker = await _assignee(user, case, data["assignee"]) if data["action"] == "assign" else None
    snapshot_id = await _snapshot(user, case) if step == "final" else None
    at = now()
    async with write_transaction(Case._meta.db):
        fresh = await load_case(user, case_id)
        check_expected(fresh, data["expected_status"], data["expected_version"])
        version = fresh["version"] + 1
        changes = {Case.status: to_status, Case.version: version, Case.updated_at: at}
        changed_fields = ["status"]
        if worker:
            changes[Case.assigned_to] = worker["id"]
            changed_fields.append("assigned_to")
        await Case.update(changes).where((Case.id == fresh["id"]) & (Case.version == fresh["version"]))
        await merge.stamp("case", str(fresh["id"]), changed_fields, version)
        await feed.touch("case", str(fresh["id"]), fresh["area_path"])
        spot_check = step == "final" and to_status == "approved" and procedures.draw_spot_check(procedures.spot_check_share(rules, fresh["type"]))
        decision = {
            "id": uuid.uuid4(),
            "case": fresh["id"],
            "area": fresh["area"],
            "action": data["action"],
            "from_status": fresh["status"],
            "to_status": to_status,
            "case_version": fresh["version"],
            "procedure": rules["procedure"],
            "rules": rules,
            "step": step,
            "reason_code": data["reason_code"] if data["action"] == "reject" else "",
            "reason_text": data["reason_text"] or data["request"],
            "assigned_to": worker["id"] if worker else None,
            "snapshot": snapshot_id,
            "spot_check": spot_check,
            "decided_by": user.id,
            "decided_at": at,
        }
        await Decision.insert(Decision(**decision))
        task = None
        if data["action"] in ("return", "object"):
            kind = "evidence" if data["action"] == "return" else "reinvestigate"
            task = await open_task(user, fresh, kind=kind, request=data["request"], assigned_to=fresh["assigned_to"], at=at)
        if worker:
            await reassign_open_tasks(fresh, worker["id"])
        obligations = []
        if rules["procedure"] == "emergency" and step == "final":
            obligations = await procedures.open_signature_obligations(fresh, decision)
        detail = {
            "decision": str(decision["id"]),
            "action": data["action"],
            "from": fresh["status"],
            "to": to_status,
            "case_version": fresh["version"],
            "procedure": rules["procedure"],
            "reason_code": decision["reason_code"],
            "reason_text": decision["reason_text"],
            "spot_check": spot_check,
        }
        if worker:
            detail["assigned_to"] = worker["display_name"]
        await record(user, f"case.{data['action']}", "case", str(fresh["id"]), detail)
    return {
        "decision": {**decision, "id": str(decision["id"]), "case": str(decision["case"]), "snapshot": str(snapshot_id) if snapshot_id else None,
                     "decided_at": at.isoformat(), "obligations": len(obligations)},
        "case": {"id": str(fresh["id"]), "status": to_status, "version": version},
        "task": task,
    }


async def _snapshot(user: CurrentUser, case: dict) -> uuid.UUID | None:
    """Store the eligibility computation with a final decision (none when no standard is set)."""
    from server.eligibility.services import snapshot

    try:
        result = await snapshot(user, case["id"], purpose="decision")
    except AppError:
        return None
    return uuid.UUID(result["snapshot_id"])


async def decisions_of_case(user: CurrentUser, case_id) -> list[dict]:
    return await Decision.select(
        Decision.all_columns(), Decision.decided_by.display_name.as_alias("decided_by_name"), Decision.assigned_to.display_name.as_alias("assignee_name")
    ).where((Decision.case == case_id) & in_scope(user, Decision.area)).order_by(Decision.decided_at, ascending=False).output(load_json=True)
