"""The declarations API's bodies and answers as the OpenAPI document shows them."""

from __future__ import annotations

from typing import Any

import msgspec


class ApproveIn(msgspec.Struct):
    ids: list[str]
    note: str = ""


class Approved(msgspec.Struct):
    id: str
    status: str


class ApproveResults(msgspec.Struct):
    results: list[dict[str, Any]]
    approved: int


class ReverificationIn(msgspec.Struct):
    note: str


class Declaration(msgspec.Struct):
    id: str
    case_id: str
    content: str
    agreed: bool
    declared_at: str
    evidence: dict[str, Any]
    extension_months: int
    standard_version: str
    emergency_ends_on: str | None
    extended_until: str | None
    reverification: str
    reverification_due: str | None
    status: str
    decision_note: str
    version: int


class DeclarationList(msgspec.Struct):
    declarations: list[Declaration]
