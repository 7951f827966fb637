"""Errors the engine raises to the server, which maps them to HTTP answers. Reasons are Chinese."""

from __future__ import annotations


class SyncError(Exception):
    code = "sync_error"

    def __init__(self, reason: str, *, field: str | None = None, extra: dict | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field
        self.extra = extra or {}


class ClientNotYours(SyncError):
    """The client id was first used by another person: a device install belongs to one user."""

    code = "client_not_yours"


class BadRequest(SyncError):
    code = "invalid"


class ConflictNotFound(SyncError):
    code = "not_found"


class ConflictClosed(SyncError):
    code = "conflict_resolved"


class ConflictStale(SyncError):
    """A device value was chosen over a server value that has changed again since the conflict was
    recorded: nothing written; the conflict shows the current value for the person to decide again."""

    code = "conflict_stale"
