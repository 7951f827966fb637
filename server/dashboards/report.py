"""The upward report (每日一报): one day, one street or district, as a bureau sends it upward —
date, area, totals, the communities, and the exceptions with names masked (王*).

The same content makes the printable page and the XLSX file."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from server.accounts.current import CurrentUser
from server.clock import LOCAL, now
from server.dailycheck.schemas import ALARMING_HEALTH, ALARMING_LIVING, CONTACT, HEALTH, LIVING, NEEDS
from server.dashboards.services import area_for_dashboard, day_picture
from server.i18n import gettext as _
from server.validation.cells import safe_cell
from server.watch.services import REASONS


def mask_name(name: str) -> str:
    """The family name kept, the rest hidden: 王小明 → 王**, 李芳 → 李*."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def situation(check: dict) -> str:
    """What makes a check an exception, in words."""
    parts = []
    if check["living_status"] in ALARMING_LIVING:
        parts.append(_(LIVING[check["living_status"]]))
    if check["health"] in ALARMING_HEALTH:
        parts.append(_(HEALTH[check["health"]]))
    if check["needs"]:
        needs = "、".join(_(NEEDS[n]) for n in check["needs"])
        other = f"（{check['needs_other']}）" if check["needs_other"] else ""
        parts.append(_("需求：") + needs + other)
    return "；".join(parts)


def exception_rows(picture: dict) -> list[dict]:
    """Checks with needs or alarming answers, then the people not checked; names masked."""
    rows = []
    for check in picture["exceptions"]:
        rows.append({
            "name": mask_name(check["name"]), "community": check["area_name"], "situation": situation(check),
            "contact": _(CONTACT.get(check["contact_method"], check["contact_method"])), "service": check["service"],
            "handled": (_("已处理") + (f"：{check['handled_note']}" if check["handled_note"] else "")) if check["handled_at"] else (_("未处理") if check["needs"] else ""),
        })
    names = picture["community_names"]
    for entry in picture["unchecked"]:
        rows.append({
            "name": mask_name(entry["name"]), "community": names.get(entry["area_code"], entry["area_code"]),
            "situation": _("当日未完成检查"), "contact": "", "service": "", "handled": "",
        })
    return rows


async def build(user: CurrentUser, code: str | None, day: date) -> dict:
    area = await area_for_dashboard(user, code)
    picture = await day_picture(area, day)
    return {
        "title": _("每日一报（特困人员等重点关注对象）"),
        "area": area,
        "day": day,
        "generated_at": now().astimezone(LOCAL),
        "generated_by": user.display_name,
        "totals": picture["totals"],
        "communities": picture["communities"],
        "reasons": [(_(label), picture["reasons"].get(code, 0)) for code, label in REASONS.items()],
        "contact": [(_(label), picture["contact"].get(code, 0)) for code, label in CONTACT.items()],
        "exceptions": exception_rows(picture),
    }


def filename(report: dict) -> str:
    return f"daily-report-{report['area']['code']}-{report['day'].isoformat()}.xlsx"


_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _table(ws, start_row: int, header: list[str], rows: list[list]) -> int:
    """Write a bordered table with a bold header; answers the next free row."""
    for col, text in enumerate(header, 1):
        cell = ws.cell(row=start_row, column=col, value=text)
        cell.font, cell.border = Font(bold=True), _BOX
    for r, values in enumerate(rows, start_row + 1):
        for col, value in enumerate(values, 1):
            ws.cell(row=r, column=col, value=value).border = _BOX
    return start_row + len(rows) + 2


def workbook(report: dict) -> bytes:
    """The report as an XLSX file: sheet 汇总 (date, area, totals, communities) and 异常情况."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("汇总")
    ws.append([report["title"]])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([_("日期"), report["day"].isoformat()])
    ws.append([_("区域"), report["area"]["full_name"]])
    ws.append([_("填报人"), report["generated_by"], _("生成时间"), report["generated_at"].strftime("%Y-%m-%d %H:%M")])
    t = report["totals"]
    row = _table(ws, 6, [_("关注人数"), _("已检查"), _("未检查"), _("完成率"), _("有需求"), _("需求已处理")],
                 [[t["roster"], t["checked"], t["unchecked"], f"{t['rate']}%" if t["rate"] is not None else "—", t["needs"], t["handled"]]])
    communities = [[c["label"], c["roster"], c["checked"], c["unchecked"], f"{c['rate']}%" if c["rate"] is not None else "—", c["needs"], c["handled"]] for c in report["communities"]]
    row = _table(ws, row, [_("社区"), _("关注人数"), _("已检查"), _("未检查"), _("完成率"), _("有需求"), _("需求已处理")], communities)
    row = _table(ws, row, [_("关注原因"), _("人数")], [list(pair) for pair in report["reasons"]])
    _table(ws, row, [_("联系方式"), _("人数")], [list(pair) for pair in report["contact"]])
    ex = wb.create_sheet(_("异常情况"))
    ex.append([report["title"] + " · " + _("异常情况"), report["area"]["full_name"], report["day"].isoformat()])
    ex["A1"].font = Font(bold=True)
    rows = [[i, e["name"], e["community"], e["situation"], e["contact"], e["service"], e["handled"]] for i, e in enumerate(report["exceptions"], 1)]
    _table(ex, 3, [_("序号"), _("姓名"), _("社区"), _("情况"), _("联系方式"), _("今日服务"), _("处理情况")], rows)
    for sheet in (ws, ex):
        for col in range(1, 8):
            sheet.column_dimensions[get_column_letter(col)].width = 16
        for line in sheet.iter_rows():
            for cell in line:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                cell.value = safe_cell(cell.value)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
