"""Decisions: each action, the state it expects, the task that reaches the worker's phone."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from server.accounts.tables import User
from server.areas.tables import Area
from server.audit.tables import AuditEvent
from server.cases.tables import Case
from server.review.tables import Decision, Task
from tests.api.test_sync_support import mutation, new_client_id, pull_all, push
from tests.support.auth import sign_in
from tests.support.review_cases import make_case


async def decide(client, case_id: str, action: str, *, status: str = "submitted", version: int = 1, **fields):
    body = {"action": action, "expected_status": status, "expected_version": version, **fields}
    return await client.post(f"/api/review/cases/{case_id}/decisions", json=body)


async def case_row(case_id: str) -> dict:
    return await Case.select().where(Case.id == uuid.UUID(case_id)).first()


async def test_approve_normal_procedure_needs_home_visit_then_goes_to_publicity(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    refused = await decide(client, made["case_id"], "approve")
    assert refused.status_code == 400 and "入户调查" in refused.json()["reason"]
    response = await decide(client, made["case_id"], "approve", in_person_confirmed=True)
    assert response.status_code == 200, response.text
    assert response.json()["case"] == {"id": made["case_id"], "status": "publicizing", "version": 2}
    decision = await Decision.select().where(Decision.case == uuid.UUID(made["case_id"])).first()
    assert decision["procedure"] == "normal" and decision["step"] == "preliminary" and decision["case_version"] == 1


async def test_reject_requires_reason_from_list(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    assert (await decide(client, made["case_id"], "reject")).status_code == 400
    assert (await decide(client, made["case_id"], "reject", reason_code="other")).status_code == 400
    response = await decide(client, made["case_id"], "reject", reason_code="income_over", reason_text="人均收入 1500 元")
    assert response.status_code == 200
    assert (await case_row(made["case_id"]))["status"] == "rejected"
    event = await AuditEvent.select().where((AuditEvent.action == "case.reject") & (AuditEvent.target_id == made["case_id"])).first()
    assert event is not None and event["actor_name"] == "林审核"


async def test_stale_decision_is_refused_with_explanation(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    first = await decide(client, made["case_id"], "return", request="请补充: 厨房照片")
    assert first.status_code == 200
    stale = await decide(client, made["case_id"], "reject", reason_code="income_over")
    assert stale.status_code == 409
    body = stale.json()
    assert "决定未执行" in body["reason"] and "退回补充" in body["reason"]
    assert body["actual"] == {"status": "returned", "version": 2}
    row = await case_row(made["case_id"])
    assert (row["status"], row["version"]) == ("returned", 2)
    assert await Decision.count().where(Decision.case == uuid.UUID(made["case_id"])) == 1


async def test_stale_decision_over_htmx_shows_the_refusal_in_the_panel(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    await decide(client, made["case_id"], "return", request="请补充: 厨房照片")
    response = await client.post(
        f"/review/cases/{made['case_id']}/decisions",
        data={"action": "approve", "expected_status": "submitted", "expected_version": "1", "in_person_confirmed": "1"},
        headers={"HX-Request": "true", "HX-Target": "decision-panel"},
    )
    assert response.status_code == 409
    assert 'id="decision-panel"' in response.text and "决定未执行" in response.text
    assert 'data-status="returned"' in response.text


async def test_return_reaches_worker_as_task_and_answer_brings_case_back(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    response = await decide(client, made["case_id"], "return", request="请补充: 厨房照片")
    assert response.json()["task"]["request"] == "请补充: 厨房照片"
    await sign_in(client, "worker")
    cid = new_client_id()
    _, changes = await pull_all(client, client_id=cid)
    tasks = [c for c in changes if c["kind"] == "task"]
    assert len(tasks) == 1 and tasks[0]["data"]["request"] == "请补充: 厨房照片" and tasks[0]["data"]["case_id"] == made["case_id"]
    answer = await push(client, cid, [mutation(1, "task.answer", {"id": tasks[0]["id"], "answer": "已上传厨房照片"})])
    assert answer.json()["results"][0]["status"] == "applied", answer.text
    again = await push(client, cid, [mutation(2, "task.answer", {"id": tasks[0]["id"], "answer": "再答一次"})])
    assert again.json()["results"][0]["status"] in ("conflict", "rejected")
    row = await case_row(made["case_id"])
    assert row["status"] == "submitted" and row["version"] == 3
    await sign_in(client, "supervisor", kind="desktop")
    queue = (await client.get("/api/review/queue", params={"q": "测试申请人"})).json()
    assert made["case_id"] in [c["id"] for c in queue["cases"]]


async def test_worker_outside_scope_does_not_receive_task(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    await decide(client, made["case_id"], "return", request="请补充: 厨房照片")
    await sign_in(client, "worker2")
    _, changes = await pull_all(client, client_id=new_client_id())
    assert [c for c in changes if c["kind"] == "task"] == []


async def test_assign_to_worker_of_the_case_community(client, demo):
    made = await make_case()
    area = await Area.select(Area.id).where(Area.code == "440106004001").first()
    helper = User(username="worker_b", display_name="周网格", role="grid_worker", area=area["id"], created_at=datetime.now(timezone.utc))
    await helper.save()
    await sign_in(client, "supervisor", kind="desktop")
    worker2 = await User.select(User.id).where(User.username == "worker2").first()
    refused = await decide(client, made["case_id"], "assign", assignee=worker2["id"])
    assert refused.status_code == 400 and "看到" in refused.json()["reason"]
    response = await decide(client, made["case_id"], "assign", assignee=helper.id)
    assert response.status_code == 200
    row = await case_row(made["case_id"])
    assert row["assigned_to"] == helper.id and row["status"] == "submitted" and row["version"] == 2


async def test_decision_after_publicity_is_the_district_s_unless_delegated(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    await decide(client, made["case_id"], "approve", in_person_confirmed=True)
    early = await decide(client, made["case_id"], "approve", status="publicizing", version=2)
    assert early.status_code == 400 and "公示期" in early.json()["reason"]
    eight_days_ago = datetime.now(timezone.utc) - timedelta(days=8)
    await Decision.update({Decision.decided_at: eight_days_ago}).where(Decision.case == uuid.UUID(made["case_id"]))
    street = await decide(client, made["case_id"], "approve", status="publicizing", version=2)
    assert street.status_code == 403
    await sign_in(client, "district", kind="desktop")
    final = await decide(client, made["case_id"], "approve", status="publicizing", version=2)
    assert final.status_code == 200 and final.json()["case"]["status"] == "approved"
    assert final.json()["decision"]["step"] == "final"


async def test_delegated_district_lets_street_decide_after_publicity(client, demo):
    made = await make_case()
    await sign_in(client, "district", kind="desktop")
    assert (await client.post("/api/procedures/delegation", json={"decision_delegated": True})).status_code == 200
    await sign_in(client, "supervisor", kind="desktop")
    await decide(client, made["case_id"], "approve", in_person_confirmed=True)
    await Decision.update({Decision.decided_at: datetime.now(timezone.utc) - timedelta(days=8)}).where(Decision.case == uuid.UUID(made["case_id"]))
    final = await decide(client, made["case_id"], "approve", status="publicizing", version=2)
    assert final.status_code == 200 and final.json()["decision"]["rules"]["delegated"] is True


async def test_objection_during_publicity_sends_case_back_for_reinvestigation(client, demo):
    made = await make_case(status="publicizing")
    await sign_in(client, "supervisor", kind="desktop")
    response = await decide(client, made["case_id"], "object", status="publicizing", request="邻居反映家中有经营收入，请重新调查")
    assert response.status_code == 200 and response.json()["case"]["status"] == "investigating"
    task = await Task.select().where(Task.case == uuid.UUID(made["case_id"])).first()
    assert task["kind"] == "reinvestigate" and task["status"] == "open"
