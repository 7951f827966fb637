"""The paperwork API's bodies and answers as the OpenAPI document shows them."""

from __future__ import annotations

from typing import Any

import msgspec


class Obligation(msgspec.Struct):
    id: str
    case_id: str
    household_id: str
    address: str
    applicant: str
    community: str
    kind: str
    title: str
    signers: list[dict[str, Any]]
    status: str  # pending, signed, waived
    waive_reason: str
    due_on: str | None
    responsible: int | None
    document_sha256: str
    document_url: str
    version: int


class ObligationsOfCase(msgspec.Struct):
    obligations: list[Obligation]


class TaskList(msgspec.Struct):
    """The caller's open paperwork, grouped by household: due now, and waiting for the emergency's end."""

    due: list[dict[str, Any]]
    waiting: list[dict[str, Any]]


class Backlog(msgspec.Struct):
    totals: dict[str, int]
    communities: list[dict[str, Any]]
    workers: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    progress: list[dict[str, Any]]


class WaiveIn(msgspec.Struct):
    reason: str
    expected_version: int | None = None
