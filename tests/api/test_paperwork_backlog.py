"""The backlog: counts by community and worker, overdue ones, progress since the emergency ended,
against hand-counted fixtures; the exports."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, time, timedelta

from openpyxl import load_workbook

from server.clock import LOCAL, today
from server.paperwork.tables import Obligation
from tests.api.test_paperwork_support import decided_case, declare_emergency, end_emergency, obligations_of
from tests.support.auth import sign_in


def at(day) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=LOCAL)


async def fixtures(client) -> None:
    """Three households, four documents each (12): A and B in 440106004001 (王网格), C in 440106004002 (李网格).

    Two of A's are overdue, one of B's was signed two days ago, one of C's waived yesterday.
    """
    day = today()
    period = await declare_emergency(client, starts_on=day - timedelta(days=20))
    a = await decided_case(client, name="甲", address="A路1号", serial=501)
    b = await decided_case(client, name="乙", address="B路1号", serial=502)
    c = await decided_case(client, name="丙", address="C路1号", serial=503, community="440106004002", worker="worker2")
    await end_emergency(client, period, day - timedelta(days=5))
    await Obligation.update({Obligation.created_at: at(day - timedelta(days=10))}).where(Obligation.id.is_not_null())
    a_rows, b_rows, c_rows = [await obligations_of(x["case_id"]) for x in (a, b, c)]
    assert len(a_rows) == len(b_rows) == len(c_rows) == 4
    await Obligation.update({Obligation.due_on: day - timedelta(days=1)}).where(Obligation.id.is_in([r["id"] for r in a_rows[:2]]))
    await Obligation.update({Obligation.status: "signed", Obligation.signed_at: at(day - timedelta(days=2))}).where(Obligation.id == b_rows[0]["id"])
    await Obligation.update({Obligation.status: "waived", Obligation.waive_reason: "已去世", Obligation.waived_at: at(day - timedelta(days=1))}).where(
        Obligation.id == c_rows[0]["id"]
    )


async def test_backlog_counts_match_the_hand_counted_fixtures(client, demo):
    await fixtures(client)
    await sign_in(client, "supervisor", kind="desktop")
    data = (await client.get("/api/paperwork/backlog")).json()
    assert data["totals"] == {"all": 12, "open": 10, "signed": 1, "waived": 1, "overdue": 2}
    assert [(c["code"], c["open"], c["overdue"], c["signed"], c["waived"]) for c in data["communities"]] == [
        ("440106004001", 7, 2, 1, 0), ("440106004002", 3, 0, 0, 1),
    ]
    assert [(w["name"], w["open"], w["overdue"]) for w in data["workers"]] == [("王网格", 7, 2), ("李网格", 3, 0)]
    assert [p["open"] for p in data["progress"]] == [12, 12, 12, 11, 10, 10]
    assert len(data["overdue"]) == 2


async def test_backlog_page_draws_the_progress_chart_and_district_sees_the_same(client, demo):
    await fixtures(client)
    await sign_in(client, "district", kind="desktop")
    page = await client.get("/paperwork/")
    assert page.status_code == 200
    assert re.search(r'data-total="open">10<', page.text) and re.search(r'data-total="overdue">2<', page.text)
    bars = re.findall(r'<g data-day="[0-9-]+" data-open="(\d+)"', page.text)
    assert bars == ["12", "12", "12", "11", "10", "10"]
    assert "<svg" in page.text


async def test_worker_cannot_open_the_backlog(client, demo):
    await sign_in(client, "worker")
    assert (await client.get("/paperwork/")).status_code == 403


async def test_backlog_exports_as_csv_and_xlsx(client, demo):
    await fixtures(client)
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get("/paperwork/export", params={"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "社区" and len(rows) == 13
    assert sum(1 for r in rows[1:] if r[8] == "是") == 2
    assert {r[5] for r in rows[1:]} == {"待签", "已签", "免签"}
    xlsx = await client.get("/paperwork/export", params={"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 13
