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
