"""Returned cases on the worker's phone: the badge, the task list, the task page, the answer."""

from __future__ import annotations

import re
import uuid

from server.cases.tables import Case
from server.review.tables import Task
from tests.api.test_review_decisions import decide
from tests.support.auth import sign_in
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
