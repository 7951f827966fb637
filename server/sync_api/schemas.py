"""The sync envelope and answers as they travel over HTTP (see docs/sync.md)."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

ClientId = Annotated[str, msgspec.Meta(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


class MutationIn(msgspec.Struct):
    id: Annotated[int, msgspec.Meta(ge=1)]
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    args: dict[str, Any] = {}
    base_version: int | None = None
    created_at: str | None = None


class PushIn(msgspec.Struct):
    client_id: ClientId
    mutations: Annotated[list[MutationIn], msgspec.Meta(max_length=1000)]


class ResolveIn(msgspec.Struct):
    """Per field of the conflict: "server" keeps the server's value, "device" writes the device's."""

    choices: dict[str, str]


# The answers as the OpenAPI document shows them (the handlers answer the engine's dicts).


class MutationResult(msgspec.Struct):
    """One entry per mutation: status applied, duplicate, rejected (with reason and field), conflict or retry.

    `code` is "handler_error" when the server's handler failed `attempts` times and gave up.
    """

    id: int
    status: str
    result: dict[str, Any] | None = None
    reason: str | None = None
    field: str | None = None
    code: str | None = None
    attempts: int | None = None


class PushAnswer(msgspec.Struct):
    last_mutation_id: int
    epoch: str
    results: list[MutationResult]


class Change(msgspec.Struct):
    kind: str
    id: str
    op: str
    data: dict[str, Any] | None = None


class PullAnswer(msgspec.Struct):
    epoch: str
    epoch_changed: bool
    reset: bool
    cursor: str
    has_more: bool
    last_mutation_id: int | None
    changes: list[Change]


class ConflictAnswer(msgspec.Struct):
    id: str
    kind: str
    record_id: str
    fields: dict[str, Any]
    base_version: int | None
    server_version: int | None
    status: str
    client_id: str | None
    mutation_id: int | None
    user_id: int | None
    created_at: str
    resolved_by: int | None
    resolved_at: str | None
    resolution: dict[str, Any] | None


class ConflictList(msgspec.Struct):
    conflicts: list[ConflictAnswer]


class Resolved(msgspec.Struct):
    conflict: ConflictAnswer
    record: dict[str, Any]
