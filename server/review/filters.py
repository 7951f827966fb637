"""The review queue's filters from query parameters, and the keyset cursor."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from server.cases.kinds import CASE_TYPES, STATUSES
from server.cases.tables import Case
from server.errors import Invalid
from server.i18n import N_
from server.validation.params import INT4_MAX

PAGE_SIZE = 50
# "todo": waiting for a supervisor's decision.
TODO_STATUSES = ("submitted", "publicizing")
# "opened" in the parameters means accepted (受理): the day the street received the application.
SORTS = {
    "opened_desc": (Case.accepted_at, False),
    "opened_asc": (Case.accepted_at, True),
    "updated_desc": (Case.updated_at, False),
    "updated_asc": (Case.updated_at, True),
}
_ID_LIKE = re.compile(r"^\d{6,17}[\dXx]?$")


@dataclass
class Filters:
    type: str = ""
    status: str = "todo"
    community: str = ""
    worker: int | None = None
    opened_from: date | None = None
    opened_to: date | None = None
    conflicts: bool = False
    overdue: bool = False
    spot_check: bool = False
    q: str = ""
    sort: str = "opened_asc"
    cursor: str = ""
    limit: int = PAGE_SIZE
    errors: dict = field(default_factory=dict)

    def as_query(self, **override) -> dict:
        """The filters as URL parameters (for links that keep them), empty ones left out."""
        values = {
            "type": self.type,
            "status": self.status,
            "community": self.community,
            "worker": self.worker or "",
            "from": self.opened_from.isoformat() if self.opened_from else "",
            "to": self.opened_to.isoformat() if self.opened_to else "",
            "conflicts": "1" if self.conflicts else "",
            "overdue": "1" if self.overdue else "",
            "spot_check": "1" if self.spot_check else "",
            "q": self.q,
            "sort": self.sort,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v not in ("", None)}


def _date(raw: str | None, name: str) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise Invalid(N_("日期格式应为 YYYY-MM-DD"), field=name) from exc


def parse_filters(params: dict) -> Filters:
    """Filters from query parameters; unknown values are refused with a reason."""
    f = Filters(
        type=params.get("type") or "",
        status=params.get("status", "todo") or "",
        community=(params.get("community") or "").strip(),
        opened_from=_date(params.get("from"), "from"),
        opened_to=_date(params.get("to"), "to"),
        conflicts=params.get("conflicts") in ("1", "true", "on"),
        overdue=params.get("overdue") in ("1", "true", "on"),
        spot_check=params.get("spot_check") in ("1", "true", "on"),
        q=(params.get("q") or "").strip()[:100],
        sort=params.get("sort") or "opened_asc",
        cursor=params.get("cursor") or "",
    )
    if f.type and f.type not in CASE_TYPES:
        raise Invalid(N_("未知的救助类型"), field="type")
    if f.status and f.status != "todo" and f.status not in STATUSES:
        raise Invalid(N_("未知的案件状态"), field="status")
    if f.sort not in SORTS:
        raise Invalid(N_("未知的排序方式"), field="sort")
    if params.get("worker"):
        try:
            f.worker = int(params["worker"])
        except ValueError as exc:
            raise Invalid(N_("网格员编号应为数字"), field="worker") from exc
        if not 1 <= f.worker <= INT4_MAX:  # beyond the database's integer: no such worker (was a 500)
            raise Invalid(N_("网格员编号不正确"), field="worker")
    if params.get("limit"):
        try:
            f.limit = max(1, min(200, int(params["limit"])))
        except ValueError as exc:
            raise Invalid(N_("每页条数应为数字"), field="limit") from exc
    return f


def encode_cursor(moment: datetime, case_id) -> str:
    return base64.urlsafe_b64encode(f"{moment.isoformat()}|{case_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, case_id = raw.split("|")
        return datetime.fromisoformat(moment), uuid.UUID(case_id)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise Invalid(N_("分页参数无效，请回到第一页"), field="cursor") from exc
