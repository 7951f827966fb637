"""Exports of cases and decisions: scope, masking by role, XLSX and CSV, each export audited."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from server.audit.tables import AuditEvent
from tests.api.test_review_decisions import decide
from tests.support.auth import sign_in
from tests.support.review_cases import make_case


def csv_rows(response) -> list[list[str]]:
    import csv

    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_supervisor_exports_cases_csv_masked_and_in_scope(client, demo):
    here = await make_case(name="导出甲", serial=321)
    there = await make_case(community="440111002001", worker="worker3", name="导出乙")
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get("/review/export/cases", params={"format": "csv", "q": "导出"})
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = csv_rows(response)
    assert rows[0][0] == "案件编号"
    assert [r[0] for r in rows[1:]] == [here["case_id"]]
    assert rows[1][6] == here["id_number"][:6] + "********" + here["id_number"][-4:]
    assert there["case_id"] not in response.text
    event = await AuditEvent.select().where(AuditEvent.action == "export.cases").output(load_json=True).first()
    assert event["detail"]["unmasked"] is False and event["detail"]["rows"] == 1 and event["detail"]["format"] == "csv"


async def test_supervisor_may_not_export_unmasked(client, demo):
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get("/review/export/cases", params={"format": "csv", "unmasked": "true"})
    assert response.status_code == 403
    assert not await AuditEvent.exists().where(AuditEvent.action == "export.cases")


async def test_district_officer_exports_unmasked_xlsx_when_asked(client, demo):
    made = await make_case(name="导出丙", serial=555)
    await sign_in(client, "district", kind="desktop")
    response = await client.get("/review/export/cases", params={"format": "xlsx", "unmasked": "true", "q": "导出丙"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "案件编号" and values[1][0] == made["case_id"] and values[1][6] == made["id_number"]
    event = await AuditEvent.select().where(AuditEvent.action == "export.cases").output(load_json=True).first()
    assert event["detail"]["unmasked"] is True
    masked = await client.get("/review/export/cases", params={"format": "xlsx", "q": "导出丙"})
    values = list(load_workbook(io.BytesIO(masked.content)).active.iter_rows(values_only=True))
    assert values[1][6] != made["id_number"] and values[1][6].endswith(made["id_number"][-4:])


async def test_decisions_export_lists_decisions_with_reasons(client, demo):
    made = await make_case(name="导出丁")
    await sign_in(client, "supervisor", kind="desktop")
    await decide(client, made["case_id"], "reject", reason_code="assets_over", reason_text="有两套住房")
    response = await client.get("/review/export/decisions", params={"format": "csv"})
    rows = csv_rows(response)
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["案件编号"] == made["case_id"] and row["决定"] == "不予批准" and row["理由"] == "家庭财产超过规定"
    assert row["说明"] == "有两套住房" and row["程序"] == "常规程序" and "*" in row["身份证号"]
    assert await AuditEvent.exists().where(AuditEvent.action == "export.decisions")


async def test_export_refuses_unknown_format(client, demo):
    await sign_in(client, "supervisor", kind="desktop")
    assert (await client.get("/review/export/cases", params={"format": "pdf"})).status_code == 400
