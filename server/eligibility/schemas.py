"""The casework API's bodies and answers (finances, completeness, eligibility, snapshots) as the
OpenAPI document shows them; the services validate each field themselves."""

from __future__ import annotations

from typing import Any

import msgspec

from server.standards.schemas import Standard

Section = list[dict[str, Any]]


class FinancesIn(msgspec.Struct):
    """Only the sections sent are replaced; `base_version` is the version the editor saw (see docs/casework.md)."""

    base_version: int | None = None
    incomes: Section | None = None
    assets: Section | None = None
    expenses: Section | None = None
    circumstances: dict[str, Any] | None = None
    tekun: dict[str, Any] | None = None
    temporary: dict[str, Any] | None = None


class Finances(msgspec.Struct):
    case_id: str
    version: int
    data: dict[str, Any]


class FinancesChanged(msgspec.Struct):
    case_id: str
    version: int
    applied: list[str]
    conflict: dict[str, Any] | None = None


class Missing(msgspec.Struct):
    field: str
    reason: str


class Completeness(msgspec.Struct):
    case_id: str
    type: str
    status: str
    complete: bool
    missing: list[Missing]


class Line(msgspec.Struct):
    label: str
    value: str
    note: str = ""


class Check(msgspec.Struct):
    label: str
    passed: bool
    detail: str = ""


class Eligibility(msgspec.Struct):
    case_id: str
    case_version: int
    finances_version: int
    standard: Standard | None
    case_type: str
    outcome: str
    amount: str | None
    lines: list[Line]
    checks: list[Check]
    rule_versions: list[str]
    missing: list[Any]
    per_capita_income: str | None = None


class SnapshotIn(msgspec.Struct):
    purpose: str = ""


class SnapshotMade(Eligibility, kw_only=True):
    snapshot_id: str


class Snapshot(msgspec.Struct):
    snapshot_id: str
    created_at: str
    purpose: str
    result: Eligibility
    inputs: dict[str, Any]
