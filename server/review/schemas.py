"""The review API's body and answers as the OpenAPI document shows them."""

from __future__ import annotations

from typing import Any

import msgspec


QUEUE_FILTERS = {
    "status": "todo（默认）或案件状态",
    "type": "救助类型：dibao, tekun, temporary, extension, referral",
    "community": "社区代码",
    "worker": "网格员编号",
    "from": "受理日期起 YYYY-MM-DD",
    "to": "受理日期止 YYYY-MM-DD",
    "conflicts": "1：只看有同步冲突的",
    "overdue": "1：只看超期的",
    "spot_check": "1：只看抽查的",
    "q": "姓名、身份证号或地址",
    "sort": "排序方式，默认 opened_asc",
    "cursor": "上一页答复的 next_cursor",
    "limit": "每页条数（1–200）",
}


class DecisionIn(msgspec.Struct):
    """`expected_status` and `expected_version` are what the supervisor saw (a stale decision is a 409)."""

    action: str  # approve, reject, return, assign, object, ...
    expected_status: str
    expected_version: int
    reason_code: str | None = None
    reason_text: str | None = None
    request: str | None = None
    assignee: int | None = None


class CaseRef(msgspec.Struct):
    id: str
    status: str
    version: int


class Decided(msgspec.Struct):
    decision: dict[str, Any]
    case: CaseRef
    task: dict[str, Any] | None = None


class QueueRow(msgspec.Struct):
    id: str
    type: str
    status: str
    procedure: str
    version: int
    community: str
    applicant: str | None
    id_number: str | None  # masked
    address: str | None
    worker: str | None
    assigned_to: int | None
    opened_at: str
    accepted_at: str | None
    updated_at: str
    has_conflicts: bool
    overdue: bool
    due_on: str | None


class Queue(msgspec.Struct):
    cases: list[QueueRow]
    next_cursor: str | None
    counts: dict[str, Any]


class CaseSummary(msgspec.Struct):
    id: str
    status: str
    version: int
    type: str
    accepted_at: str | None


class ReviewCase(msgspec.Struct):
    case: CaseSummary
    rules: dict[str, Any]
    deadlines: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
