"""Returned cases on the worker's phone: the badge, the task list, the task page, the answer and the
evidence it names."""

from __future__ import annotations

import re
import uuid

import pytest

from server.audit.tables import AuditEvent
from server.cases.tables import Case
from server.review.tables import Task
from tests.api.test_review_decisions import decide
from tests.api.test_sync_support import mutation, new_client_id, push
from tests.support.auth import sign_in
from tests.support.media import attach_args, clean_media, jpeg, mp4, upload  # noqa: F401  (clean_media: an empty media folder)
from tests.support.review_cases import make_case


async def returned_case(client, name: str = "任务申请人", request: str = "请补充: 厨房照片") -> tuple[dict, str]:
    made = await make_case(name=name)
    await sign_in(client, "supervisor", kind="desktop")
    response = await decide(client, made["case_id"], "return", request=request)
    assert response.status_code == 200, response.text
    return made, response.json()["task"]["id"]


async def test_caseload_counts_open_tasks_and_lists_the_request(client, demo):
    made, task_id = await returned_case(client)
    await sign_in(client, "worker")
    caseload = (await client.get("/field")).text
    badge = re.search(r'data-task-count data-user="\d+">(\d+)<', caseload)
    assert badge and badge.group(1) == "1"
    listing = await client.get("/field/tasks")
    assert listing.status_code == 200
    assert f'href="/field/tasks/{task_id}"' in listing.text and "请补充: 厨房照片" in listing.text and "任务申请人" in listing.text
    page = (await client.get(f"/field/tasks/{task_id}")).text
    assert "请补充: 厨房照片" in page
    assert f'data-case-id="{made["case_id"]}"' in page and "data-capture" in page  # evidence capture for the case
    assert 'data-offline="task.answer"' in page and f'name="id" value="{task_id}"' in page


async def test_other_worker_sees_no_task_and_its_page_is_not_found(client, demo):
    _, task_id = await returned_case(client)
    await sign_in(client, "worker2")
    assert re.search(r'data-task-count data-user="\d+">0<', (await client.get("/field")).text)
    assert task_id not in (await client.get("/field/tasks")).text
    assert (await client.get(f"/field/tasks/{task_id}")).status_code == 404
    assert (await client.get(f"/field/tasks/{uuid.uuid4()}")).status_code == 404


async def test_answer_posted_as_plain_form_brings_the_case_back_to_review(client, demo):
    made, task_id = await returned_case(client)
    await sign_in(client, "worker")
    response = await client.post("/field/forms/task.answer", data={
        "_csrf_token": client.headers["x-csrftoken"], "_next": "/field/tasks", "id": task_id, "answer": "已补充厨房照片",
    }, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/field/tasks"
    task = await Task.select().where(Task.id == uuid.UUID(task_id)).first()
    assert (task["status"], task["answer"]) == ("answered", "已补充厨房照片")
    case = await Case.select(Case.status).where(Case.id == uuid.UUID(made["case_id"])).first()
    assert case["status"] == "submitted"
    listing = (await client.get("/field/tasks")).text
    assert "没有待答复的任务" in listing and "已补充厨房照片" in listing
    answered_page = (await client.get(f"/field/tasks/{task_id}")).text
    assert "已补充厨房照片" in answered_page and 'data-offline="task.answer"' not in answered_page
    assert re.search(r'data-task-count data-user="\d+">0<', (await client.get("/field")).text)


async def test_empty_answer_is_refused_and_the_task_stays_open(client, demo):
    _, task_id = await returned_case(client)
    await sign_in(client, "worker")
    response = await client.post("/field/forms/task.answer", data={"_csrf_token": client.headers["x-csrftoken"], "id": task_id, "answer": "  "})
    assert response.status_code == 400
    assert (await Task.select(Task.status).where(Task.id == uuid.UUID(task_id)).first())["status"] == "open"


# ---------------------------------------------------------------- the answer names its evidence


async def answer_push(client, client_id: str, mutation_id: int, task_id: str, evidence: list[str] | None = None) -> dict:
    args = {"id": task_id, "answer": "已补充厨房视频"}
    if evidence is not None:
        args["evidence"] = evidence
    response = await push(client, client_id, [mutation(mutation_id, "task.answer", args)])
    assert response.status_code == 200, response.text
    return response.json()


async def attach_push(client, client_id: str, mutation_id: int, case_id, data: bytes, kind: str = "video") -> tuple[str, dict]:
    args = attach_args(case_id, data, kind=kind)
    response = await push(client, client_id, [mutation(mutation_id, "evidence.attach", args)])
    assert response.status_code == 200, response.text
    return args["id"], response.json()["results"][0]


async def task_and_case(task_id: str, case_id: str) -> tuple[str, str]:
    task = await Task.select(Task.status).where(Task.id == uuid.UUID(task_id)).first()
    case = await Case.select(Case.status).where(Case.id == uuid.UUID(case_id)).first()
    return task["status"], case["status"]


async def test_answer_before_its_evidence_is_retry_and_applies_once_after_the_attach(client, demo):
    made, task_id = await returned_case(client)
    await sign_in(client, "worker")
    device, video = new_client_id(), mp4()
    evidence_id = str(uuid.uuid4())
    early = await answer_push(client, device, 1, task_id, [evidence_id])
    assert early["last_mutation_id"] == 0
    assert early["results"] == [{
        "id": 1, "status": "retry", "code": "evidence_pending", "details": {"waiting_for": [evidence_id]},
        "reason": "答复等待证据上传：还有 1 份证据未到达服务器，稍后自动重试。",
    }]
    assert await task_and_case(task_id, made["case_id"]) == ("open", "returned")
    # The device set the answer aside: its id goes to the evidence once the upload is done.
    await upload(client, video)
    args = attach_args(made["case_id"], video, kind="video") | {"id": evidence_id}
    attached = (await push(client, device, [mutation(1, "evidence.attach", args)])).json()
    assert attached["results"][0]["status"] == "applied" and attached["last_mutation_id"] == 1
    answered = await answer_push(client, device, 2, task_id, [evidence_id])
    assert answered["results"][0]["status"] == "applied", answered
    assert answered["results"][0]["result"]["evidence"] == [evidence_id]
    assert answered["results"][0]["result"]["case_status"] == "submitted"
    assert await task_and_case(task_id, made["case_id"]) == ("answered", "submitted")
    again = await answer_push(client, device, 2, task_id, [evidence_id])
    assert again["results"][0]["status"] == "duplicate"
    later = await answer_push(client, device, 3, task_id, [evidence_id])  # a second answer, as a new mutation
    assert (later["results"][0]["status"], later["results"][0]["actual"]) == ("conflict", "answered")
    assert await AuditEvent.count().where((AuditEvent.action == "task.answer") & (AuditEvent.target_id == made["case_id"])) == 1


async def test_answer_naming_evidence_of_another_case_is_rejected_with_the_reason(client, demo):
    made, task_id = await returned_case(client)
    other = await make_case(name="另一申请人", serial=124)
    await sign_in(client, "worker")
    device, photo = new_client_id(), jpeg()
    await upload(client, photo)
    evidence_id, attached = await attach_push(client, device, 1, other["case_id"], photo, kind="photo")
    assert attached["status"] == "applied"
    refused = await answer_push(client, device, 2, task_id, [evidence_id])
    result = refused["results"][0]
    assert (result["status"], result["field"], result["details"]["code"]) == ("rejected", "evidence[0]", "evidence_other_case")
    assert "另一个案件" in result["reason"] and refused["last_mutation_id"] == 2
    assert await task_and_case(task_id, made["case_id"]) == ("open", "returned")


async def test_answer_naming_evidence_the_server_refused_is_rejected_not_retried(client, demo):
    made, task_id = await returned_case(client)
    await sign_in(client, "worker")
    device, video = new_client_id(), mp4()
    await upload(client, video)
    evidence_id, attached = await attach_push(client, device, 1, made["case_id"], video, kind="photo")  # a video is no photo
    assert attached["status"] == "rejected" and attached["field"] == "kind"
    refused = await answer_push(client, device, 2, task_id, [evidence_id])
    result = refused["results"][0]
    assert (result["status"], result["field"], result["details"]["code"]) == ("rejected", "evidence[0]", "evidence_refused")
    assert "已被服务器拒绝" in result["reason"] and attached["reason"] in result["reason"]
    assert await task_and_case(task_id, made["case_id"]) == ("open", "returned")


async def test_answer_waits_again_for_evidence_whose_attach_lacked_its_file(client, demo):
    """The server no longer had the file (never uploaded, or removed unattached): the attach is
    rejected with code upload_missing, and the answer waits while the phone uploads the file again
    and sends the attach again, with the same evidence id."""
    made, task_id = await returned_case(client)
    await sign_in(client, "worker")
    device, photo = new_client_id(), jpeg()
    args = attach_args(made["case_id"], photo)
    refused = (await push(client, device, [mutation(1, "evidence.attach", args)])).json()["results"][0]
    assert (refused["status"], refused["field"], refused["details"]) == ("rejected", "sha256", {"code": "upload_missing"})

    waiting = await answer_push(client, device, 2, task_id, [args["id"]])
    assert (waiting["results"][0]["status"], waiting["results"][0]["code"]) == ("retry", "evidence_pending")

    await upload(client, photo)
    assert (await push(client, device, [mutation(2, "evidence.attach", args)])).json()["results"][0]["status"] == "applied"
    answered = await answer_push(client, device, 3, task_id, [args["id"]])
    assert answered["results"][0]["status"] == "applied", answered
    assert await task_and_case(task_id, made["case_id"]) == ("answered", "submitted")


async def test_answer_with_a_malformed_evidence_list_is_rejected(client, demo):
    made, task_id = await returned_case(client)
    await sign_in(client, "worker")
    device = new_client_id()
    not_a_list = await answer_push(client, device, 1, task_id, "abc")  # type: ignore[arg-type]
    assert (not_a_list["results"][0]["status"], not_a_list["results"][0]["field"]) == ("rejected", "evidence")
    bad_id = await answer_push(client, device, 2, task_id, [str(uuid.uuid4()), "kitchen.jpg"])
    assert (bad_id["results"][0]["status"], bad_id["results"][0]["field"]) == ("rejected", "evidence[1]")
    assert await task_and_case(task_id, made["case_id"]) == ("open", "returned")


@pytest.mark.parametrize("evidence", [None, []], ids=["without-list", "empty-list"])
async def test_answer_without_evidence_is_applied_as_before(client, demo, evidence):
    made, task_id = await returned_case(client)
    await sign_in(client, "worker")
    answered = await answer_push(client, new_client_id(), 1, task_id, evidence)
    assert answered["results"][0]["status"] == "applied", answered
    assert answered["results"][0]["result"]["evidence"] == []
    assert await task_and_case(task_id, made["case_id"]) == ("answered", "submitted")
