"""The signed-in person as the rest of the server sees them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    area_id: int
    area_code: str
    area_name: str
    area_path: str
    locale: str | None
    session_id: int
    passkey_id: int | None
    session_kind: str = "field"
