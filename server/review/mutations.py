"""Task mutations, registered with the sync engine, and the pull's task kind."""

from __future__ import annotations

from server.casework.feed import lister
from server.clock import now
from server.review.tables import Task
from server.review.tasks import KIND, answer_task, load_tasks
from server.validation.mutations import rejecting
from sync.registry import MutationContext, register, register_kind


@register("task.answer")
@rejecting
async def answer(ctx: MutationContext, args: dict) -> dict:
    """Answer a task the supervisor sent: {id, answer}; the case returns to the review queue."""
    return await answer_task(ctx.actor, args, ctx.received_at or now())


register_kind(KIND, load=load_tasks, list_all=lister(Task, Task.id))
