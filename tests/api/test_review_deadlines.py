"""The statutory deadlines count from acceptance: the day the street received the application
(the case's first submission for review), not the day a device opened the draft."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from server import clock
from server.cases.tables import Case
from server.procedures.rules import overall_limit
from server.procedures.workdays import load_calendar
from tests.api.test_review_decisions import decide
from tests.support.auth import sign_in
from tests.support.casework import signed_device
from tests.support.review_cases import make_case

OPENED_ON_DEVICE = "2026-05-23T09:14:00+08:00"  # the draft was opened months before it was submitted


async def submitted_draft(client) -> tuple[object, str]:
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")  # case.create carries the device's time
    await worker.apply("finances.set", {"case_id": case_id, "incomes": [], "assets": []})
    await worker.apply("case.submit", {"case_id": case_id, "expected_status": "draft"})
    return worker, case_id


async def test_deadlines_count_from_the_first_submission_not_from_the_draft(client, demo):
    _, case_id = await submitted_draft(client)
    row = await Case.select(Case.opened_at, Case.accepted_at).where(Case.id == uuid.UUID(case_id)).first()
    assert row["opened_at"] == datetime.fromisoformat(OPENED_ON_DEVICE)
    today = clock.today()
    assert clock.local_date(row["accepted_at"]) == today
    due = (await load_calendar()).add_workdays(today, overall_limit("dibao", False))

    await sign_in(client, "supervisor", kind="desktop")
    page = (await client.get(f"/api/review/cases/{case_id}")).json()
    overall = next(d for d in page["deadlines"] if d["step"] == "overall")
    assert (overall["starts_on"], overall["due_on"], overall["overdue"]) == (today.isoformat(), due.isoformat(), False)
    assert all(d["starts_on"] == today.isoformat() for d in page["deadlines"] if d["step"] in ("investigation_start", "overall"))

    queue = (await client.get("/api/review/queue", params={"status": "", "limit": "200"})).json()
    listed = next(c for c in queue["cases"] if c["id"] == case_id)
    assert (listed["due_on"], listed["overdue"]) == (due.isoformat(), False)
    overdue = (await client.get("/api/review/queue", params={"overdue": "1", "status": "", "limit": "200"})).json()
    assert case_id not in [c["id"] for c in overdue["cases"]]


async def test_resubmitting_a_returned_case_keeps_the_first_acceptance(client, demo):
    worker, case_id = await submitted_draft(client)
    accepted = datetime.now(timezone.utc) - timedelta(days=60)
    await Case.update({Case.accepted_at: accepted}).where(Case.id == uuid.UUID(case_id))
    await sign_in(client, "supervisor", kind="desktop")
    client.casework_user = "supervisor"
    assert (await decide(client, case_id, "return", version=2, request="请补充: 收入证明")).status_code == 200
    await worker.apply("case.submit", {"case_id": case_id, "expected_status": "returned"})
    row = await Case.select(Case.status, Case.accepted_at).where(Case.id == uuid.UUID(case_id)).first()
    assert row["status"] == "submitted" and row["accepted_at"] == accepted
    await sign_in(client, "supervisor", kind="desktop")
    overdue = (await client.get("/api/review/queue", params={"overdue": "1", "status": "", "limit": "200"})).json()
    assert case_id in [c["id"] for c in overdue["cases"]]


async def test_a_case_not_yet_accepted_has_no_deadlines(client, demo):
    made = await make_case(status="draft", opened_at=datetime.now(timezone.utc) - timedelta(days=90))
    await sign_in(client, "supervisor", kind="desktop")
    page = (await client.get(f"/api/review/cases/{made['case_id']}")).json()
    assert page["case"]["accepted_at"] is None and page["deadlines"] == []
    html = (await client.get(f"/review/cases/{made['case_id']}")).text
    assert "时限从受理（首次提交）之日起算" in html
