"""The registry of mutation handlers. Domain packages register; the engine looks up by name.

    from sync.registry import register

    @register("case.create")
    async def create_case(ctx: MutationContext, args: dict) -> dict:
        ...
        return {"case_id": ..., "version": 1}

A handler runs inside the push transaction: its writes and the client's `last_mutation_id`
commit together. It raises `Rejected` for a permanent error (the queue moves on) and
`RetryLater` for one that may pass later (e.g. an upload not finished yet).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class MutationContext:
    """Who sent a mutation and when. `actor` is the server's signed-in user object, opaque here."""

    actor: Any
    client_id: str
    mutation_id: int
    created_at: datetime | None
    extra: dict = field(default_factory=dict)


class Rejected(Exception):
    """A permanent error: answered `rejected` with this reason; later mutations still apply."""

    def __init__(self, reason: str, *, field: str | None = None, details: dict | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.details = details or {}


class RetryLater(Exception):
    """A passing condition (e.g. the upload is not finished): nothing applied, the device retries."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


Handler = Callable[[MutationContext, dict], Awaitable[dict]]

_HANDLERS: dict[str, Handler] = {}


def register(name: str) -> Callable[[Handler], Handler]:
    """Register the handler of mutation `name` (e.g. "case.create"); each name once."""

    def decorate(handler: Handler) -> Handler:
        if name in _HANDLERS and _HANDLERS[name] is not handler:
            raise ValueError(f"mutation {name!r} is registered twice")
        _HANDLERS[name] = handler
        return handler

    return decorate


def handler_for(name: str) -> Handler | None:
    return _HANDLERS.get(name)


def registered_names() -> list[str]:
    return sorted(_HANDLERS)
