"""Running a domain function as a sync mutation: its errors become `Rejected` with the field."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from server.errors import AppError, Conflict
from server.i18n import N_
from sync.registry import MutationContext, Rejected, StaleState


def rejecting(handler: Callable[..., Awaitable[dict | None]]):
    """Wrap a handler (or a batched form, which takes the batch as a third argument) so that a
    validation or scope error answers `rejected`, and a workflow step that found another state
    than it expected answers `conflict` (the engine's StaleState)."""

    @wraps(handler)
    async def wrapped(ctx: MutationContext, args: dict, *batch) -> dict | None:
        if not isinstance(args, dict):
            raise Rejected(N_("参数格式不正确，应为对象"), field="args")
        if ctx.actor is None:
            raise Rejected(N_("请先登录。"))
        try:
            return await handler(ctx, args, *batch)
        except Conflict as error:
            if "expected" in error.extra:  # a workflow step found another state: the engine's conflict
                raise StaleState(error.reason, field=error.field or "status", expected=error.extra["expected"], actual=error.extra["actual"]) from error
            raise Rejected(error.reason, field=error.field, details={"code": error.code, **error.extra}) from error
        except AppError as error:
            details = {"code": error.code, **error.extra}
            raise Rejected(error.reason, field=error.field, details=details) from error

    return wrapped

