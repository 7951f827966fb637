"""The registry of mutation handlers. Domain packages register; the engine looks up by name.

    from sync.registry import register

    @register("case.create")
    async def create_case(ctx: MutationContext, args: dict) -> dict:
        ...
        return {"case_id": ..., "version": 1}

A handler runs inside the push transaction: its writes and the client's `last_mutation_id`
commit together. It raises `Rejected` for a permanent error (the queue moves on) and
`RetryLater` for one that may pass later (e.g. an upload not finished yet).

A mutation applied many times a second may also offer a batched form, which stages its rows
in the push's `Batch` instead of writing them (see sync/batch.py); it answers None to leave a
mutation to the plain handler (e.g. an edit, where the batched form only knows creations):

    @register_batched("case.create")
    async def create_case_batched(ctx: MutationContext, args: dict, batch: Batch) -> dict | None:
        ...

Record kinds (households, cases, later visits, evidence, tasks ...) register how the pull
loads them and how a conflict resolution writes chosen values back:

    register_kind("case", load=load_cases, apply_fields=apply_case_fields)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sync.messages import N_


@dataclass(frozen=True)
class MutationContext:
    """Who sent a mutation and when. `actor` is the server's signed-in user object, opaque here."""

    actor: Any
    client_id: str
    mutation_id: int
    created_at: datetime | None
    extra: dict = field(default_factory=dict)
    # The record version the device based an edit on (None for creations).
    base_version: int | None = None
    # Attribution, handed in by the server: who, with which passkey and session, and when.
    user_id: int | None = None
    passkey_id: int | None = None
    session_id: int | None = None
    received_at: datetime | None = None


class Rejected(Exception):
    """A permanent error: answered `rejected` with this reason; later mutations still apply."""

    def __init__(self, reason: str, *, field: str | None = None, details: dict | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.details = details or {}


class StaleState(Rejected):
    """A workflow step named the state it expected and the record is in another one.

    Answered `conflict` with `expected` and `actual`; nothing applied, the queue moves on.
    """

    def __init__(self, reason: str, *, field: str, expected: Any, actual: Any) -> None:
        super().__init__(reason, field=field, details={"expected": expected, "actual": actual})
        self.expected = expected
        self.actual = actual


def expect_state(actual: Any, expected: Any, *, field: str = "status", reason: str | None = None) -> None:
    """For workflow steps: raise StaleState unless the record's `field` still has the expected value.

    `expected` may be one value or a tuple/list/set of acceptable values.
    """
    allowed = expected if isinstance(expected, (tuple, list, set, frozenset)) else (expected,)
    if actual not in allowed:
        raise StaleState(
            reason or N_("记录状态已变更（当前为“{actual}”），操作未执行", actual=actual),
            field=field,
            expected=expected if not isinstance(expected, (set, frozenset)) else sorted(expected),
            actual=actual,
        )


class RetryLater(Exception):
    """A passing condition (e.g. the upload is not finished): nothing applied, the device retries.

    `code` and `details` tell a client what it waits for (e.g. "evidence_pending" with the
    evidence ids), so that it can set the mutation aside instead of blocking its queue. `keep` is
    work that stays although nothing is applied (e.g. noting when a wait began, so that it can be
    bounded): the engine awaits it in the push's transaction after undoing the handler's writes.
    """

    def __init__(
        self, reason: str, *, code: str | None = None, details: dict | None = None, keep: Callable[[], Awaitable[None]] | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.details = details or {}
        self.keep = keep


Handler = Callable[[MutationContext, dict], Awaitable[dict]]

BatchedHandler = Callable[[MutationContext, dict, Any], Awaitable[dict | None]]

_HANDLERS: dict[str, Handler] = {}
_BATCHED: dict[str, BatchedHandler] = {}


def _registrar(registry: dict[str, Any], name: str, what: str) -> Callable:
    def decorate(handler):
        if name in registry and registry[name] is not handler:
            raise ValueError(f"{what} {name!r} is registered twice")
        registry[name] = handler
        return handler

    return decorate


def register(name: str) -> Callable[[Handler], Handler]:
    """Register the handler of mutation `name` (e.g. "case.create"); each name once."""
    return _registrar(_HANDLERS, name, "mutation")


def register_batched(name: str) -> Callable[[BatchedHandler], BatchedHandler]:
    """Register the batched form of mutation `name`, beside its plain handler; each name once.

    It must give the same answer and the same effect as the plain handler, or answer None.
    """
    return _registrar(_BATCHED, name, "the batched form of")


def handler_for(name: str) -> Handler | None:
    return _HANDLERS.get(name)


def batched_handler_for(name: str) -> BatchedHandler | None:
    return _BATCHED.get(name)


def registered_names() -> list[str]:
    return sorted(_HANDLERS)


# ---------------------------------------------------------------- record kinds (pull, conflicts)

Loader = Callable[[Any, list[str]], Awaitable[dict[str, dict]]]
FieldApplier = Callable[[Any, str, dict], Awaitable[dict]]
FieldReader = Callable[[Any, str], Awaitable[tuple[dict, int]]]
Lister = Callable[[], Awaitable[list[tuple[str, str]]]]


@dataclass(frozen=True)
class RecordKind:
    """A kind of record the pull sends to devices.

    `load(actor, ids)` answers {id: record} for the ids the actor may see (those it may not see
    are left out and reach the device as tombstones). `apply_fields(actor, id, values)` writes
    values a person chose while resolving a conflict and answers the record's new state;
    `read_fields(actor, id)` answers the values its merge compares, as a conflict holds them, and
    the record's version (a resolution checks them before writing a device's value).
    `list_all()` answers (id, area path) of every record, so that records written without
    touching the feed (demo data, imports, a restored database, a kind registered later) are fed
    in (`feed.backfill`, once per kind and epoch).
    """

    name: str
    load: Loader
    apply_fields: FieldApplier | None = None
    list_all: Lister | None = None
    read_fields: FieldReader | None = None


_KINDS: dict[str, RecordKind] = {}


def register_kind(
    name: str, *, load: Loader, apply_fields: FieldApplier | None = None, list_all: Lister | None = None, read_fields: FieldReader | None = None
) -> RecordKind:
    """Register a record kind for the pull (and conflict resolution); each name once."""
    kind = RecordKind(name=name, load=load, apply_fields=apply_fields, list_all=list_all, read_fields=read_fields)
    existing = _KINDS.get(name)
    if existing is not None and existing != kind:
        raise ValueError(f"record kind {name!r} is registered twice")
    _KINDS[name] = kind
    return kind


def kind_for(name: str) -> RecordKind | None:
    return _KINDS.get(name)


def registered_kinds() -> list[str]:
    return sorted(_KINDS)
