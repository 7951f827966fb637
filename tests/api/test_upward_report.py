"""The upward report: its XLSX read back with openpyxl, and the printable page; names masked."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from server.dashboards.report import mask_name
from tests.api.test_watch_support import SHIPAI, hand_counted
from tests.support.auth import sign_in

FULL_NAMES = ("王小明", "李芳", "张伟", "黄强", "刘洋", "赵敏")


def rows_of(sheet) -> list[list]:
    return [[c for c in row] for row in sheet.iter_rows(values_only=True)]


def find_row(rows: list[list], first: str) -> list:
    return next(r for r in rows if r and r[0] == first)


def test_names_are_masked_but_the_family_name_kept():
    assert mask_name("王小明") == "王**"
    assert mask_name("李芳") == "李*"
    assert mask_name("欧阳") == "欧*"
    assert mask_name("") == ""


async def test_street_report_xlsx_holds_date_area_totals_and_masked_exceptions(client):
    world = await hand_counted()
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get(f"/dashboards/report.xlsx?area={SHIPAI}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    day = world["today"].isoformat()
    assert f"daily-report-{SHIPAI}-{day}.xlsx" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["汇总", "异常情况"]
    summary = rows_of(book["汇总"])
    assert summary[0][0] == "每日一报（特困人员等重点关注对象）"
    assert find_row(summary, "日期")[1] == day
    assert find_row(summary, "区域")[1] == "广州市天河区石牌街道"
    header = find_row(summary, "关注人数")
    totals = summary[summary.index(header) + 1]
    assert totals[:6] == [6, 4, 2, "67%", 2, 1]
    assert find_row(summary, "华师社区")[:7] == ["华师社区", 4, 3, 1, "75%", 2, 1]
    assert find_row(summary, "南方社区")[:7] == ["南方社区", 2, 1, 1, "50%", 0, 0]
    assert find_row(summary, "散居特困人员")[1] == 2 and find_row(summary, "居家隔离")[1] == 1
    assert find_row(summary, "电话")[1] == 3 and find_row(summary, "视频")[1] == 1

    exceptions = [r for r in rows_of(book["异常情况"])[3:] if r and r[0] is not None]
    by_name = {r[1]: r for r in exceptions}
    assert set(by_name) == {"李*", "张*", "黄*", "刘*", "赵*"}  # needs ×2, unreachable, not checked ×2
    assert "药品" in by_name["李*"][3] and by_name["李*"][6] == "未处理"
    assert "生活物资" in by_name["张*"][3] and by_name["张*"][6].startswith("已处理")
    assert by_name["黄*"][3] == "联系不上" and by_name["黄*"][4] == "视频"
    assert by_name["刘*"][3] == "当日未完成检查" and by_name["刘*"][2] == "华师社区"
    assert [r[0] for r in exceptions] == list(range(1, 6))
    text = repr(summary) + repr(rows_of(book["异常情况"]))
    assert not any(name in text for name in FULL_NAMES)


async def test_district_report_covers_every_street(client):
    await hand_counted()
    await sign_in(client, "district", kind="desktop")
    response = await client.get("/dashboards/report.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    summary = rows_of(book["汇总"])
    assert find_row(summary, "区域")[1] == "广州市天河区"
    header = find_row(summary, "关注人数")
    assert summary[summary.index(header) + 1][:4] == [7, 5, 2, "71%"]
    assert find_row(summary, "棠下街道·棠下社区")[:4] == ["棠下街道·棠下社区", 1, 1, 0]
    assert find_row(summary, "石牌街道·华师社区")[:4] == ["石牌街道·华师社区", 4, 3, 1]


async def test_printable_report_page_shows_the_same_figures_with_masked_names(client):
    world = await hand_counted()
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get("/dashboards/report")
    assert response.status_code == 200
    html = response.text
    assert "广州市天河区石牌街道" in html and world["today"].isoformat() in html
    assert "今日应检查 6 人，已检查 4 人，未检查 2 人，完成率 67%；登记需求 2 人，已处理 1 人。" in html
    assert "李*" in html and "当日未完成检查" in html
    assert not any(name in html for name in FULL_NAMES)
    assert "@media print" not in html and "/static/css/dashboards.css" in html  # print rules live in the stylesheet


async def test_report_outside_scope_is_not_found(client):
    await hand_counted()
    await sign_in(client, "supervisor", kind="desktop")
    assert (await client.get("/dashboards/report.xlsx?area=440111")).status_code == 404
    assert (await client.get("/dashboards/report?date=2999-01-01")).status_code == 400
