"""Procedures: emergency periods declared per district switch the rules of decisions."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from server.procedures import services as procedures
from server.review.tables import Decision
from tests.api.test_review_decisions import case_row, decide
from tests.support.auth import sign_in
from tests.support.review_cases import make_case


async def declare(client, **fields):
    body = {"starts_on": (date.today() - timedelta(days=1)).isoformat(), "spot_check_percent": 0, "tekun_spot_check_percent": 30, **fields}
    return await client.post("/api/procedures/emergency", json=body)


async def test_district_officer_declares_emergency_for_own_district_only(client, demo):
    await sign_in(client, "supervisor", kind="desktop")
    assert (await declare(client)).status_code == 403
    await sign_in(client, "district", kind="desktop")
    response = await declare(client, reason="疫情封控")
    assert response.status_code == 201, response.text
    assert response.json()["district"] == "440106"
    assert (await declare(client, district="440111")).status_code == 400  # not their district
    assert (await declare(client)).status_code == 409  # overlapping period


async def test_tekun_spot_check_share_cannot_be_below_30_percent(client, demo):
    await sign_in(client, "district", kind="desktop")
    response = await declare(client, tekun_spot_check_percent=20)
    assert response.status_code == 400 and "30%" in response.json()["reason"]


async def test_emergency_makes_street_approval_final_without_home_visit(client, demo):
    made = await make_case()
    await sign_in(client, "district", kind="desktop")
    await declare(client, spot_check_percent=100)
    await sign_in(client, "supervisor", kind="desktop")
    response = await decide(client, made["case_id"], "approve")
    assert response.status_code == 200, response.text
    decision = response.json()["decision"]
    assert response.json()["case"]["status"] == "approved"
    assert decision["procedure"] == "emergency" and decision["step"] == "final" and decision["spot_check"] is True
    stored = await Decision.select().where(Decision.case == uuid.UUID(made["case_id"])).output(load_json=True).first()
    assert stored["rules"]["street_final"] is True and stored["rules"]["exits_suspended"] is True
    await sign_in(client, "district", kind="desktop")
    spot = (await client.get("/api/review/queue", params={"spot_check": "1", "status": ""})).json()
    assert [c["id"] for c in spot["cases"]] == [made["case_id"]]


async def test_emergency_in_other_district_does_not_apply(client, demo):
    made = await make_case()
    await sign_in(client, "admin", kind="desktop")
    assert (await declare(client, district="440111")).status_code == 201
    await sign_in(client, "supervisor", kind="desktop")
    refused = await decide(client, made["case_id"], "approve")
    assert refused.status_code == 400  # normal procedure: home visit still required


async def test_emergency_suspends_exits_and_ending_it_restores_normal_rules(client, demo):
    made = await make_case(type="extension")
    await sign_in(client, "district", kind="desktop")
    period = (await declare(client)).json()
    await sign_in(client, "supervisor", kind="desktop")
    refused = await decide(client, made["case_id"], "reject", reason_code="income_over")
    assert refused.status_code == 400 and "暂停退出" in refused.json()["reason"]
    await sign_in(client, "district", kind="desktop")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    ended = await client.post(f"/api/procedures/emergency/{period['id']}/end", json={"ends_on": yesterday})
    assert ended.status_code == 200 and ended.json()["ends_on"] == yesterday
    await sign_in(client, "supervisor", kind="desktop")
    response = await decide(client, made["case_id"], "reject", reason_code="income_over")
    assert response.status_code == 200 and response.json()["decision"]["procedure"] == "normal"
    assert (await case_row(made["case_id"]))["status"] == "rejected"


async def test_emergency_decision_opens_signature_obligations_hook(client, demo):
    made = await make_case()
    seen = []

    async def listener(case, decision):
        seen.append((str(case["id"]), decision["procedure"]))
        return ["承诺书"]

    procedures.on_signature_obligations(listener)
    try:
        await sign_in(client, "district", kind="desktop")
        await declare(client)
        await sign_in(client, "supervisor", kind="desktop")
        response = await decide(client, made["case_id"], "approve")
        assert response.json()["decision"]["obligations"] >= 1  # ours, plus those of deferred paperwork
        assert seen == [(made["case_id"], "emergency")]
    finally:
        procedures._SIGNATURE_LISTENERS.remove(listener)


async def test_case_api_shows_deadlines_and_rules(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    body = (await client.get(f"/api/review/cases/{made['case_id']}")).json()
    assert body["rules"]["procedure"] == "normal"
    steps = {d["step"]: d for d in body["deadlines"]}
    assert {"investigation_start", "overall"} <= set(steps)
    assert steps["overall"]["overdue"] is False
