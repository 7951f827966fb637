"""Obligations: opened by emergency-procedure decisions, dated when the emergency ends, waived."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from server.areas.tables import Area
from server.audit.tables import AuditEvent
from server.paperwork.tables import Obligation
from tests.api.test_paperwork_support import (
    add_member, add_visit, approve, decided_case, declare_emergency, end_emergency, obligations_of,
)
from tests.api.test_sync_support import new_client_id, pull_all
from tests.support.auth import sign_in
from tests.support.review_cases import make_case


def kinds(rows: list[dict]) -> set[str]:
    return {r["kind"] for r in rows}


async def test_emergency_approval_of_dibao_opens_the_documents_it_needs(client, demo):
    await declare_emergency(client)
    made = await make_case(name="周大明")
    await add_member(made["household_id"], "周小红", "child", 222, 1)
    community = await Area.select(Area.id).where(Area.code == "440106004001").first()
    await add_visit(made["case_id"], community["id"], situation="周大明在家，周小红在场")
    answer = await approve(client, made["case_id"])
    assert answer["decision"]["obligations"] == 4
    rows = {r["kind"]: r for r in await obligations_of(made["case_id"])}
    assert set(rows) == {"application", "commitment", "authorization", "home_visit"}
    assert [s["name"] for s in rows["authorization"]["signers"]] == ["周大明", "周小红"]
    assert [s["name"] for s in rows["home_visit"]["signers"]] == ["周大明", "周小红", "王网格", "赵社工"]
    assert [s["name"] for s in rows["application"]["signers"]] == ["周大明"]
    assert all(r["status"] == "pending" and r["due_on"] is None for r in rows.values())
    assert {len(r["document_sha256"]) for r in rows.values()} == {64}


async def test_normal_procedure_approval_opens_no_obligation(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.post(f"/api/review/cases/{made['case_id']}/decisions",
                                 json={"action": "approve", "expected_status": "submitted", "expected_version": 1, "in_person_confirmed": True})
    assert response.status_code == 200, response.text
    assert await obligations_of(made["case_id"]) == []


async def test_tekun_needs_written_statement_and_proxy_letter_when_applied_by_proxy(client, demo):
    await declare_emergency(client)
    made = await make_case(type="tekun")
    from server.cases.tables import Case

    await Case.update({Case.notes: "由侄女代为申请"}).where(Case.id == uuid.UUID(made["case_id"]))
    await approve(client, made["case_id"])
    assert kinds(await obligations_of(made["case_id"])) == {"application", "proxy", "statement", "commitment", "authorization", "home_visit"}


async def test_urgent_temporary_assistance_owes_staff_signatures(client, demo):
    await declare_emergency(client)
    made = await make_case(type="temporary")
    from server.finances.tables import CaseFinances
    from datetime import datetime, timezone

    await CaseFinances.insert(CaseFinances(case=uuid.UUID(made["case_id"]), area=(await Area.select(Area.id).where(Area.code == "440106004001").first())["id"],
                                           data='{"temporary": {"kind": "urgent", "reason": "隔离期间无收入"}}', version=1, updated_at=datetime.now(timezone.utc)))
    await approve(client, made["case_id"])
    rows = {r["kind"]: r for r in await obligations_of(made["case_id"])}
    assert set(rows) == {"application", "commitment", "staff"}
    assert [s["role"] for s in rows["staff"]["signers"]] == ["staff", "approver"]
    assert [s["name"] for s in rows["staff"]["signers"]] == ["王网格", "林审核"]


async def test_ending_the_emergency_sets_due_dates_on_open_obligations(client, demo):
    period = await declare_emergency(client)
    made = await decided_case(client)
    ends_on = date.today() - timedelta(days=1)
    await end_emergency(client, period, ends_on)
    rows = await obligations_of(made["case_id"])
    assert rows and {r["due_on"] for r in rows} == {ends_on + timedelta(days=30)}
    event = await AuditEvent.select().where(AuditEvent.action == "paperwork.due").first()
    assert event is not None


async def test_worker_task_list_groups_households_and_reaches_the_phone_through_pull(client, demo):
    period = await declare_emergency(client)
    first = await decided_case(client, name="甲", address="天河路9号", serial=301)
    second = await decided_case(client, name="乙", address="天河路2号", serial=302)
    elsewhere = await decided_case(client, name="丙", address="石牌路1号", serial=303, community="440106004002", worker="worker2")
    await end_emergency(client, period)
    await sign_in(client, "worker")
    tasks = (await client.get("/api/paperwork/obligations")).json()
    assert [g["address"] for g in tasks["due"]] == ["天河路2号", "天河路9号"]
    assert all(len(g["obligations"]) == 4 for g in tasks["due"])
    _, changes = await pull_all(client, client_id=new_client_id())
    pulled = {c["id"] for c in changes if c["kind"] == "obligation" and c["op"] != "delete"}
    mine = {str(r["id"]) for r in await obligations_of(first["case_id"]) + await obligations_of(second["case_id"])}
    assert pulled == mine
    page = await client.get("/field/paperwork")
    assert page.status_code == 200 and page.text.index("天河路2号") < page.text.index("天河路9号")
    assert "石牌路1号" not in page.text and elsewhere


async def test_supervisor_waives_with_reason_and_worker_cannot(client, demo):
    await declare_emergency(client)
    made = await decided_case(client)
    obligation = (await obligations_of(made["case_id"]))[0]
    await sign_in(client, "worker")
    refused = await client.post(f"/api/paperwork/obligations/{obligation['id']}/waive", json={"reason": "x"})
    assert refused.status_code == 403
    await sign_in(client, "supervisor", kind="desktop")
    assert (await client.post(f"/api/paperwork/obligations/{obligation['id']}/waive", json={})).status_code == 400
    answer = await client.post(f"/api/paperwork/obligations/{obligation['id']}/waive", json={"reason": "申请人已去世"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "waived" and answer.json()["waive_reason"] == "申请人已去世"
    row = await Obligation.select().where(Obligation.id == obligation["id"]).first()
    assert row["status"] == "waived"


async def test_obligation_outside_scope_is_not_found(client, demo):
    await declare_emergency(client)
    made = await decided_case(client)
    obligation = (await obligations_of(made["case_id"]))[0]
    await sign_in(client, "worker2")
    assert (await client.get(f"/paperwork/{obligation['id']}/document.pdf")).status_code == 404
    assert (await client.get(f"/field/paperwork/{obligation['id']}")).status_code == 404


async def test_supervisor_opens_the_case_documents_and_waives_from_the_page(client, demo):
    await declare_emergency(client)
    made = await decided_case(client, name="孙阿婆")
    await sign_in(client, "supervisor", kind="desktop")
    listing = await client.get(f"/paperwork/cases/{made['case_id']}")
    assert listing.status_code == 200 and listing.text.count("data-obligation=") == 4
    obligation = next(r for r in await obligations_of(made["case_id"]) if r["kind"] == "commitment")
    page = await client.get(f"/paperwork/{obligation['id']}")
    assert page.status_code == 200 and obligation["document_sha256"] in page.text and "孙阿婆" in page.text
    form = {"reason": "申请人已迁出本市", "expected_version": str(obligation["version"]), "_csrf_token": client.headers["x-csrftoken"]}
    posted = await client.post(f"/paperwork/{obligation['id']}/waive", data=form, follow_redirects=False)
    assert posted.status_code == 303, posted.text
    after = await client.get(f"/paperwork/{obligation['id']}")
    assert 'data-status="waived"' in after.text and "申请人已迁出本市" in after.text
    assert await AuditEvent.count().where(AuditEvent.action == "paperwork.waive") == 1
