"""The worker's tasks on the phone: what a supervisor asked for when returning a case ("请补充:
厨房照片"), each with its case, a capture box for the evidence and an answer form.

The pages are rendered here and cached by the service worker after each sync (sync-client.js),
so they open offline; the answer goes through the outbox as `task.answer` (server/review/tasks.py).
"""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Template

from server.accounts.current import CurrentUser
from server.accounts.guards import requires_user
from server.areas.scope import in_scope
from server.audit.services import record
from server.errors import NotFound
from server.field.controllers import page
from server.field.services import applicants
from server.i18n import N_
from server.review.reasons import TASK_KINDS
from server.review.tables import Task

ANSWERED_SHOWN = 20

_COLUMNS = (
    Task.id,
    Task.kind,
    Task.request,
    Task.status,
    Task.answer,
    Task.assigned_to,
    Task.created_at,
    Task.answered_at,
    Task.created_by.display_name.as_alias("requested_by"),
    Task.case.id.as_alias("case_id"),
    Task.case.type.as_alias("case_type"),
    Task.case.status.as_alias("case_status"),
    Task.case.household.id.as_alias("household_id"),
    Task.case.household.address.as_alias("address"),
)


async def _with_applicants(rows: list[dict]) -> list[dict]:
    names = await applicants([r["household_id"] for r in rows])
    for row in rows:
        row["applicant"] = names.get(row["household_id"], "")
    return rows


def _mine(user: CurrentUser):
    return in_scope(user, Task.area) & (Task.assigned_to == user.id)


async def open_count(user: CurrentUser) -> int:
    """How many open tasks wait for this worker (the caseload's badge)."""
    return await Task.count().where(_mine(user) & (Task.status == "open"))


async def my_tasks(user: CurrentUser) -> dict:
    """The worker's open tasks, oldest first, and the latest answered ones."""
    open_rows = await Task.select(*_COLUMNS).where(_mine(user) & (Task.status == "open")).order_by(Task.created_at)
    answered = await Task.select(*_COLUMNS).where(_mine(user) & (Task.status == "answered")).order_by(
        Task.answered_at, ascending=False
    ).limit(ANSWERED_SHOWN)
    return {"open": await _with_applicants(open_rows), "answered": await _with_applicants(answered)}


async def one_task(user: CurrentUser, task_id: UUID) -> dict:
    """One task inside the user's scope, with its case; NotFound otherwise."""
    row = await Task.select(*_COLUMNS).where((Task.id == task_id) & in_scope(user, Task.area)).first()
    if row is None:
        raise NotFound(N_("找不到该任务，或不在您的管辖范围内。"))
    return (await _with_applicants([row]))[0]


class FieldTaskController(Controller):
    path = "/field/tasks"
    guards = [requires_user]

    @get("/", name="field_tasks")
    async def tasks(self, request: Request) -> Template:
        """The worker's tasks from supervisors: open ones to answer, answered ones for reference."""
        return page("tasks", request, TASK_KINDS=TASK_KINDS, **await my_tasks(request.user))

    @get("/{task_id:uuid}", name="field_task")
    async def task(self, request: Request, task_id: FromPath[UUID]) -> Template:
        """One task: the supervisor's request, evidence capture for its case, and the answer."""
        task = await one_task(request.user, task_id)
        await record(request.user, "task.view", "task", str(task["id"]), {"case": str(task["case_id"])})
        return page("task", request, TASK_KINDS=TASK_KINDS, task=task)
