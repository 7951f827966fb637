"""Tasks: a supervisor's request to the worker, delivered through the sync pull (kind "task").

Returning a case for more evidence, or a 公示 objection, opens a task for the case's worker. The
worker answers it with the `task.answer` mutation, naming the evidence captured for it; the case
comes back to the queue once that evidence is attached (server/review/task_evidence.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from server.accounts.current import CurrentUser
from server.areas.scope import in_scope
from server.audit.services import record
from server.cases.tables import Case
from server.errors import Conflict, NotFound
from server.i18n import N_
from server.review.tables import Task
from server.review.task_evidence import named_evidence, require_evidence
from server.validation import rules
from sync import feed, merge

KIND = "task"
# A case waiting for the worker; answering its last open task sends it back to review.
WAITING_STATUSES = ("returned", "investigating")


def task_record(row: dict) -> dict:
    """A task as devices receive it."""
    return {
        "id": str(row["id"]),
        "case_id": str(row["case"]),
        "kind": row["kind"],
        "request": row["request"],
        "assigned_to": row["assigned_to"],
        "status": row["status"],
        "answer": row["answer"],
        "created_at": row["created_at"].isoformat(),
        "answered_at": row["answered_at"].isoformat() if row["answered_at"] else None,
        "version": row["version"],
    }


_COLUMNS = (Task.all_columns(), Task.area.path.as_alias("area_path"))


async def load_tasks(user: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: the tasks among `ids` inside the user's scope."""
    rows = await Task.select(*_COLUMNS).where(Task.id.is_in([uuid.UUID(i) for i in ids]) & in_scope(user, Task.area))
    return {str(row["id"]): task_record(row) for row in rows}


async def open_task(user: CurrentUser, case: dict, *, kind: str, request: str, assigned_to: int | None, at: datetime) -> dict:
    """Open a task on a case (inside the decision's transaction); answers the task record."""
    row = {
        "id": uuid.uuid4(),
        "case": case["id"],
        "area": case["area"],
        "kind": kind,
        "request": request,
        "assigned_to": assigned_to,
        "status": "open",
        "answer": "",
        "created_by": user.id,
        "created_at": at,
        "answered_by": None,
        "answered_at": None,
        "version": 1,
    }
    await Task.insert(Task(**row))
    await feed.touch(KIND, str(row["id"]), case["area_path"], new=True)
    return task_record(row)


async def reassign_open_tasks(case: dict, worker_id: int) -> None:
    """The case went to another worker: its open tasks follow it."""
    rows = await Task.select(Task.id, Task.version).where((Task.case == case["id"]) & (Task.status == "open"))
    for row in rows:
        await Task.update({Task.assigned_to: worker_id, Task.version: row["version"] + 1}).where(Task.id == row["id"])
        await feed.touch(KIND, str(row["id"]), case["area_path"])


async def tasks_of_case(user: CurrentUser, case_id) -> list[dict]:
    rows = await Task.select(*_COLUMNS).where((Task.case == case_id) & in_scope(user, Task.area)).order_by(Task.created_at, ascending=False)
    return [task_record(r) for r in rows]


async def answer_task(user: CurrentUser, args: dict, at: datetime) -> dict:
    """`task.answer` {id, answer, evidence?}: close the task once its named evidence is on the case;
    the case comes back to review when no task of it is open."""
    task_id = rules.uuid_value(args.get("id"), "id")
    answer = rules.text(args.get("answer"), "answer", required=True, max_length=2000, label=N_("答复"))
    evidence = named_evidence(args.get("evidence"))
    task = await Task.select(*_COLUMNS).where((Task.id == task_id) & in_scope(user, Task.area)).first()
    if task is None:
        raise NotFound(N_("找不到该任务，或不在您的管辖范围内。"), field="id")
    if task["status"] != "open":
        raise Conflict(N_("该任务已答复，不能重复答复。"), field="status", extra={"expected": "open", "actual": task["status"]})
    await require_evidence(user.id, task["case"], evidence)
    version = task["version"] + 1
    await Task.update(
        {Task.status: "answered", Task.answer: answer, Task.answered_by: user.id, Task.answered_at: at, Task.version: version}
    ).where((Task.id == task_id) & (Task.status == "open"))
    await feed.touch(KIND, str(task_id), task["area_path"])
    case = await Case.select(Case.id, Case.status, Case.version).where(Case.id == task["case"]).first()
    still_open = await Task.exists().where((Task.case == task["case"]) & (Task.status == "open"))
    back = case is not None and case["status"] in WAITING_STATUSES and not still_open
    if back:
        case_version = case["version"] + 1
        await Case.update({Case.status: "submitted", Case.version: case_version, Case.updated_at: at}).where(Case.id == case["id"])
        await merge.stamp("case", str(case["id"]), ["status"], case_version)
        await feed.touch("case", str(case["id"]), task["area_path"])
    named = [str(item) for item in evidence]
    await record(user, "task.answer", "case", str(task["case"]), {"task": str(task_id), "answer": answer, "evidence": named, "case_back_to_review": back})
    return {
        "id": str(task_id),
        "status": "answered",
        "version": version,
        "case_status": "submitted" if back else (case or {}).get("status"),
        "evidence": named,
    }
