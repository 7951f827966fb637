"""Standards as data: per area and effective date, admin-managed over JSON and a web page."""

from __future__ import annotations

from datetime import datetime, timezone

from server import clock
from tests.support.casework import signed_device

NEW = {"area": "440106", "effective_from": "2022-01-01", "dibao_standard": "1200.00", "tekun_multiple": "1.6", "dibao_minimum": "60", "extension_months": 6, "note": "天河区2022"}


async def test_demo_ships_the_guangzhou_example_standard_labelled_as_example(client, demo):
    worker = await signed_device(client, "worker")
    body = (await worker.get("/api/standards")).json()
    assert len(body["standards"]) == 1
    standard = body["standards"][0]
    assert standard["area"] == "440100" and standard["dibao_standard"] == "1120.00" and standard["tekun_multiple"] == "1.6"
    assert standard["is_example"] is True and "示例" in standard["note"]


async def test_effective_standard_is_the_nearest_area_with_the_latest_date(client, demo):
    admin = await signed_device(client, "admin")
    created = await admin.post("/api/standards", json=NEW)
    assert created.status_code == 201, created.text
    assert created.json()["dibao_standard"] == "1200.00" and created.json()["extension_months"] == 6
    community = "440106004001"
    before = (await admin.get("/api/standards/effective", params={"area": community, "on": "2021-12-31"})).json()
    after = (await admin.get("/api/standards/effective", params={"area": community, "on": "2022-01-01"})).json()
    elsewhere = (await admin.get("/api/standards/effective", params={"area": "440111002001", "on": "2022-06-01"})).json()
    assert before["dibao_standard"] == "1120.00"
    assert after["dibao_standard"] == "1200.00" and after["area"] == "440106"
    assert elsewhere["dibao_standard"] == "1120.00"
    missing = await admin.get("/api/standards/effective", params={"area": community, "on": "2020-01-01"})
    assert missing.status_code == 404 and missing.json()["field"] == "area"


async def test_effective_standard_without_a_date_is_todays_as_the_bureau_counts_days(client, demo, monkeypatch):
    """01:30 in Guangzhou on the day a new standard takes effect is still the day before on a
    server clock in UTC: the standard in force is the new one all the same."""
    admin = await signed_device(client, "admin")
    assert (await admin.post("/api/standards", json={**NEW, "effective_from": "2030-03-01", "dibao_standard": "1300.00"})).status_code == 201
    monkeypatch.setattr(clock, "now", lambda: datetime(2030, 2, 28, 17, 30, tzinfo=timezone.utc))
    answer = (await admin.get("/api/standards/effective", params={"area": "440106004001"})).json()
    assert answer["dibao_standard"] == "1300.00" and answer["effective_from"] == "2030-03-01"


async def test_eligibility_uses_the_district_standard_once_in_force(client, demo):
    admin = await signed_device(client, "admin")
    await admin.post("/api/standards", json={**NEW, "effective_from": "2026-01-01"})
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    await worker.apply("finances.set", {"case_id": case_id, "incomes": [{"kind": "wage", "amount": "1800"}], "assets": []})
    body = (await worker.get(f"/api/cases/{case_id}/eligibility")).json()
    assert body["amount"] == "1800.00"  # (1200 − 600) × 3
    assert body["standard"]["area"] == "440106"


async def test_only_admins_write_standards(client, demo):
    supervisor = await signed_device(client, "supervisor")
    assert (await supervisor.post("/api/standards", json=NEW)).status_code == 403
    district = await signed_device(client, "district")
    assert (await district.post("/api/standards", json=NEW)).status_code == 403
    assert (await district.get("/casework/standards")).status_code == 403


async def test_standard_with_a_float_or_a_low_tekun_multiple_is_refused_with_its_field(client, demo):
    admin = await signed_device(client, "admin")
    bad = await admin.post("/api/standards", json={**NEW, "dibao_standard": 1200.5})
    assert bad.status_code == 400 and bad.json()["field"] == "dibao_standard"
    low = await admin.post("/api/standards", json={**NEW, "tekun_multiple": "1.2"})
    assert low.status_code == 400 and low.json()["reason"] == "特困基本生活标准不得低于低保标准的1.3倍"
    twice = await admin.post("/api/standards", json={**NEW, "effective_from": "2021-07-01", "area": "440100"})
    assert twice.status_code == 409


async def test_standard_update_needs_the_version_the_admin_saw(client, demo):
    admin = await signed_device(client, "admin")
    standard = (await admin.get("/api/standards")).json()["standards"][0]
    changed = await admin.put(f"/api/standards/{standard['id']}", json={"base_version": 1, "dibao_standard": "1150"})
    assert changed.status_code == 200 and changed.json()["version"] == 2 and changed.json()["dibao_standard"] == "1150.00"
    stale = await admin.put(f"/api/standards/{standard['id']}", json={"base_version": 1, "dibao_standard": "1160"})
    assert stale.status_code == 409
    assert (await admin.get(f"/api/standards/{standard['id']}")).json()["dibao_standard"] == "1150.00"


async def test_standards_page_adds_a_standard_and_shows_errors_next_to_the_field(client, demo):
    admin = await signed_device(client, "admin")
    page = await admin.get("/casework/standards")
    assert page.status_code == 200 and "1120.00" in page.text and "示例" in page.text
    form = {"area": "440111", "effective_from": "2022-03-01", "dibao_standard": "12x", "_csrf_token": client.headers["x-csrftoken"]}
    wrong = await admin.post("/casework/standards", data=form, headers={"HX-Request": "true"})
    assert wrong.status_code == 200  # htmx swaps only 2xx answers
    assert 'id="dibao_standard-error"' in wrong.text and "金额格式不正确" in wrong.text
    assert "<html" not in wrong.text
    plain = await admin.post("/casework/standards", data=form)
    assert plain.status_code == 400 and "<html" in plain.text and 'id="dibao_standard-error"' in plain.text
    right = await admin.post("/casework/standards", data={**form, "dibao_standard": "1130", "dibao_minimum": "", "tekun_multiple": ""}, headers={"HX-Request": "true"})
    assert right.status_code == 200
    assert "1130.00" in right.text
    rows = (await admin.get("/api/standards")).json()["standards"]
    assert any(s["area"] == "440111" and s["dibao_standard"] == "1130.00" for s in rows)
