"""Who is calling the engine, as the server describes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Caller:
    """`actor` is the server's signed-in user object (opaque here) handed to handlers and loaders.

    `scope_path` is the caller's area path: the feed rows whose area path starts with it are theirs.
    """

    actor: Any
    user_id: int
    scope_path: str
    passkey_id: int | None = None
    session_id: int | None = None
