"""The audit log: views and decisions are recorded, the chain verifies, tampering is detected."""

from __future__ import annotations

from server.audit.services import record
from server.audit.tables import AuditEvent
from server.audit.verify import verify_chain
from server.cli import main
from tests.support.auth import sign_in
from tests.support.review_cases import make_case


async def test_case_view_is_audited(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    page = await client.get(f"/review/cases/{made['case_id']}")
    assert page.status_code == 200 and made["id_number"] in page.text
    events = await AuditEvent.select().where((AuditEvent.action == "case.view") & (AuditEvent.target_id == made["case_id"]))
    assert len(events) == 1 and events[0]["actor_name"] == "林审核"


async def test_verify_passes_on_intact_chain(client, demo):
    for i in range(5):
        await record(None, "test.event", "case", f"c{i}", {"n": i, "text": "中文"}, actor_name="测试")
    result = await verify_chain()
    assert result["ok"] and result["events"] >= 5 and result["problems"] == []


async def test_verify_detects_edited_event(client, demo):
    for i in range(4):
        await record(None, "test.event", "case", f"c{i}", {"amount": "100"}, actor_name="测试")
    target = (await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id).offset(1).first())["id"]
    await AuditEvent.update({AuditEvent.detail: {"amount": "900"}}).where(AuditEvent.id == target)
    result = await verify_chain()
    assert not result["ok"]
    assert [p["id"] for p in result["problems"]] == [target]


async def test_verify_detects_deleted_event(client, demo):
    for i in range(4):
        await record(None, "test.event", "case", f"c{i}", {}, actor_name="测试")
    rows = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id)
    await AuditEvent.delete().where(AuditEvent.id == rows[1]["id"])
    result = await verify_chain()
    assert not result["ok"] and result["problems"][0]["id"] == rows[2]["id"]


async def test_verify_detects_truncated_tail_with_expected_head(client, demo):
    for i in range(3):
        await record(None, "test.event", "case", f"c{i}", {}, actor_name="测试")
    head = (await verify_chain())["head"]
    last = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first()
    await AuditEvent.delete().where(AuditEvent.id == last["id"])
    assert (await verify_chain())["ok"]  # a shorter chain is still a chain …
    assert not (await verify_chain(expect_head=head))["ok"]  # … unless the head was noted


def test_cli_audit_verify_exit_codes(capsys):
    assert main(["audit", "verify"]) == 0
    assert "audit chain intact" in capsys.readouterr().out


async def test_district_officer_browses_only_own_district(client, demo):
    here = await make_case(community="440106004001")
    there = await make_case(community="440111002001", worker="worker3")
    await sign_in(client, "supervisor", kind="desktop")
    await client.get(f"/review/cases/{here['case_id']}")
    assert (await client.get("/review/audit/")).status_code == 403
    await sign_in(client, "admin", kind="desktop")
    await client.get(f"/review/cases/{there['case_id']}")
    await sign_in(client, "district", kind="desktop")
    page = await client.get("/review/audit/", params={"action": "case.view"})
    assert page.status_code == 200
    assert here["case_id"] in page.text and there["case_id"] not in page.text


async def test_audit_export_is_itself_audited(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    await client.get(f"/review/cases/{made['case_id']}")
    await sign_in(client, "district", kind="desktop")
    response = await client.get("/review/audit/export.csv", params={"target": made["case_id"]})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0].startswith("id,at,actor") and len(lines) == 2 and "case.view" in lines[1]
    assert await AuditEvent.exists().where(AuditEvent.action == "audit.export")
