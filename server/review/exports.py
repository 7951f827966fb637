"""Exports of cases and decisions in the user's scope, as CSV or XLSX, each one audited.

ID numbers are masked (first 6 and last 4 characters) unless the person asks for the full
numbers explicitly and their role allows it: district officers and admins may, street
supervisors may not. Either way the export is written to the audit log with its filters.
"""

from __future__ import annotations

import csv
import io
from server.accounts.current import CurrentUser
from server.accounts.roles import ADMIN, DISTRICT_OFFICER
from server.areas.scope import in_scope
from server.audit.services import record
from server.cases.kinds import CASE_TYPES, PROCEDURES, STATUSES
from server.clock import LOCAL
from server.errors import Forbidden, Invalid
from server.households.idnumber import mask
from server.i18n import N_, gettext as _
from server.validation.cells import safe_row
from server.review import queue
from server.review.reasons import ACTIONS, REJECT_REASONS, STEPS
from server.review.tables import Decision

FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
UNMASKED_ROLES = (DISTRICT_OFFICER, ADMIN)
BATCH = 1000
MAX_ROWS = 200_000


def may_export_unmasked(user: CurrentUser) -> bool:
    return user.role in UNMASKED_ROLES


def check_request(user: CurrentUser, fmt: str, unmasked: bool) -> None:
    if fmt not in FORMATS:
        raise Invalid(N_("导出格式应为 csv 或 xlsx"), field="format")
    if unmasked and not may_export_unmasked(user):
        raise Forbidden(N_("只有区民政局和管理员可以导出完整身份证号。"))


def _when(moment) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if moment else ""


async def case_rows(user: CurrentUser, f: queue.Filters, unmasked: bool) -> tuple[list[str], list[list]]:
    header = [_("案件编号"), _("救助类型"), _("状态"), _("程序"), _("社区"), _("申请人"), _("身份证号"), _("地址"), _("网格员"), _("受理时间"), _("更新时间"), _("版本"), _("超期")]
    f.limit, f.cursor = BATCH, ""
    rows: list[list] = []
    while len(rows) < MAX_ROWS:
        result = await queue.page(user, f, with_counts=False)
        people = await queue.applicants_of([r["household"] for r in result["rows"]]) if unmasked else {}
        for r in result["rows"]:
            id_number = people.get(r["household"], {}).get("id_number", "") if unmasked else r["id_number_masked"]
            rows.append([
                str(r["id"]), _(CASE_TYPES[r["type"]]), _(STATUSES[r["status"]]), _(PROCEDURES.get(r["procedure"], r["procedure"])),
                r["community"], r["applicant"], id_number, r["address"], r["worker"], _when(r["accepted_at"]), _when(r["updated_at"]),
                r["version"], _("是") if r["overdue"] else "",
            ])
        if not result["next_cursor"]:
            break
        f.cursor = result["next_cursor"]
    return header, rows


async def decision_rows(user: CurrentUser, unmasked: bool) -> tuple[list[str], list[list]]:
    header = [_("决定时间"), _("案件编号"), _("救助类型"), _("申请人"), _("身份证号"), _("社区"), _("决定"), _("审批环节"), _("原状态"), _("新状态"),
              _("程序"), _("理由"), _("说明"), _("抽查"), _("决定人")]
    found = await Decision.select(
        Decision.all_columns(),
        Decision.case.type.as_alias("case_type"),
        Decision.case.household.as_alias("household"),
        Decision.area.name.as_alias("community"),
        Decision.decided_by.display_name.as_alias("decider"),
    ).where(in_scope(user, Decision.area)).order_by(Decision.decided_at).limit(MAX_ROWS)
    rows: list[list] = []
    for start in range(0, len(found), BATCH):
        chunk = found[start : start + BATCH]
        applicant = await queue.applicants_of(list({d["household"] for d in chunk}))
        for d in chunk:
            person = applicant.get(d["household"], {})
            id_number = person.get("id_number", "")
            rows.append([
                _when(d["decided_at"]), str(d["case"]), _(CASE_TYPES.get(d["case_type"], d["case_type"])), person.get("name", ""),
                id_number if unmasked else (mask(id_number) if id_number else ""), d["community"], _(ACTIONS[d["action"]]), _(STEPS.get(d["step"], "")),
                _(STATUSES[d["from_status"]]), _(STATUSES[d["to_status"]]), _(PROCEDURES.get(d["procedure"], d["procedure"])),
                _(REJECT_REASONS[d["reason_code"]]) if d["reason_code"] in REJECT_REASONS else "", d["reason_text"], _("是") if d["spot_check"] else "",
                d["decider"] or "",
            ])
    return header, rows


def to_csv(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(header))
    writer.writerows(safe_row(row) for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(safe_row(header))
    for row in rows:
        sheet.append(safe_row(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def export(user: CurrentUser, what: str, fmt: str, unmasked: bool, f: queue.Filters | None = None) -> tuple[bytes, str, str]:
    """(content, media type, file name) of an export; audited with its filters and size."""
    check_request(user, fmt, unmasked)
    if what == "cases":
        header, rows = await case_rows(user, f or queue.Filters(status=""), unmasked)
        title = _("案件")
    else:
        header, rows = await decision_rows(user, unmasked)
        title = _("审批决定")
    content = to_csv(header, rows) if fmt == "csv" else to_xlsx(title, header, rows)
    filters = f.as_query() if f and what == "cases" else {}
    await record(user, f"export.{what}", "export", what, {"format": fmt, "unmasked": unmasked, "rows": len(rows), "filters": filters, "scope": user.area_code})
    return content, FORMATS[fmt], f"doorstep-{what}-{user.area_code}.{fmt}"
