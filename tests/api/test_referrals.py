"""Referrals: organisations as data, 已转介 → 已接收 → 已办结 / 退回 with dates and notes, overdue lists."""

from __future__ import annotations

import uuid

from tests.support.casework import signed_device


async def _organisation(device, name: str = "广州市慈善会") -> int:
    organisations = (await device.get("/api/organisations")).json()["organisations"]
    return next(o["id"] for o in organisations if o["name"] == name)


def referral(case_id: str, organisation_id: int, **extra) -> dict:
    return {"id": str(uuid.uuid4()), "case_id": case_id, "organisation_id": organisation_id, "reason": "疫情失业，不符合低保条件", "contact_name": "王伟", "contact_phone": "13800138000", **extra}


async def test_organisations_are_scoped_to_the_area_they_serve(client, demo):
    worker = await signed_device(client, "worker")
    names = {o["name"] for o in (await worker.get("/api/organisations")).json()["organisations"]}
    assert "广州市慈善会" in names and "天河区医疗保障局" in names and "石牌街华师社区居委会" in names
    assert "白云区红十字会" not in names
    other = await signed_device(client, "worker2")
    assert "石牌街华师社区居委会" not in {o["name"] for o in (await other.get("/api/organisations")).json()["organisations"]}


async def test_district_officer_adds_organisations_and_workers_cannot(client, demo):
    worker = await signed_device(client, "worker")
    new = {"name": "天河区总工会", "kind": "department", "area": "440106", "contact_phone": "020-38000000", "due_days": 5}
    assert (await worker.post("/api/organisations", json=new)).status_code == 403
    district = await signed_device(client, "district")
    created = await district.post("/api/organisations", json=new)
    assert created.status_code == 201 and created.json()["contact_phone"] == "02038000000"
    outside = await district.post("/api/organisations", json={**new, "area": "440111"})
    assert outside.status_code == 404
    bad_phone = await district.post("/api/organisations", json={**new, "contact_phone": "123"})
    assert bad_phone.status_code == 400 and bad_phone.json()["field"] == "contact_phone"
    stale = await district.put(f"/api/organisations/{created.json()['id']}", json={"base_version": 0, "active": False})
    assert stale.status_code == 409


async def test_referral_is_followed_to_its_end_with_each_step_dated(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("referral")
    organisation = await _organisation(worker)
    args = referral(case_id, organisation, referred_on="2026-05-20")
    created = await worker.apply("referral.create", args)
    assert created["status"] == "referred" and created["due_on"] == "2026-05-30"
    received = await worker.apply("referral.update", {"id": args["id"], "expected_status": "referred", "status": "received", "on": "2026-05-21", "note": "慈善会已联系"})
    assert received["status"] == "received" and received["version"] == 2
    supervisor = await signed_device(client, "supervisor")
    done = await supervisor.post(f"/api/referrals/{args['id']}/status", json={"expected_status": "received", "status": "done", "on": "2026-05-25", "note": "已发放物资"})
    assert done.status_code == 200, done.text
    detail = (await worker.get(f"/api/referrals/{args['id']}")).json()
    assert [(e["status"], e["on"], e["note"]) for e in detail["events"]] == [
        ("referred", "2026-05-20", ""),
        ("received", "2026-05-21", "慈善会已联系"),
        ("done", "2026-05-25", "已发放物资"),
    ]
    assert detail["organisation"] == "广州市慈善会" and detail["overdue"] is False
    assert (await worker.push("case.submit", {"case_id": case_id}))["status"] == "applied"


async def test_referral_steps_name_the_status_they_expect(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("referral")
    args = referral(case_id, await _organisation(worker))
    await worker.apply("referral.create", args)
    stale = await worker.push("referral.update", {"id": args["id"], "expected_status": "received", "status": "done"})
    assert stale["status"] == "conflict" and stale["actual"] == "referred"
    skip = await worker.push("referral.update", {"id": args["id"], "expected_status": "referred", "status": "done"})
    assert skip["status"] == "rejected" and skip["field"] == "status"
    unexplained = await worker.push("referral.update", {"id": args["id"], "expected_status": "referred", "status": "returned"})
    assert unexplained["status"] == "rejected" and unexplained["field"] == "note"
    returned = await worker.apply("referral.update", {"id": args["id"], "expected_status": "referred", "status": "returned", "note": "不属于本机构服务范围"})
    assert returned["status"] == "returned"


async def test_overdue_referrals_are_listed(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("referral")
    organisation = await _organisation(worker)
    late = referral(case_id, organisation, referred_on="2026-01-02")
    timely = referral(case_id, organisation)
    await worker.apply("referral.create", late)
    await worker.apply("referral.create", timely)
    overdue = (await worker.get("/api/referrals", params={"overdue": "true"})).json()["referrals"]
    ids = {r["id"] for r in overdue}
    assert late["id"] in ids and timely["id"] not in ids
    page = await worker.get("/casework/referrals", params={"overdue": "true"})
    assert page.status_code == 200 and late["id"] in page.text and "已逾期" in page.text


async def test_referral_input_is_validated_and_scoped(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("referral")
    organisation = await _organisation(worker)
    bad_phone = await worker.push("referral.create", referral(case_id, organisation, contact_phone="5551234"))
    assert bad_phone["status"] == "rejected" and bad_phone["field"] == "contact_phone"
    future = await worker.push("referral.create", referral(case_id, organisation, referred_on="2099-01-01"))
    assert future["field"] == "referred_on"
    hidden = await _organisation(await signed_device(client, "worker3"), "白云区红十字会")
    outside_org = await worker.push("referral.create", referral(case_id, hidden))
    assert outside_org["status"] == "rejected" and outside_org["field"] == "organisation_id"
    args = referral(case_id, organisation)
    await worker.apply("referral.create", args)
    stranger = await signed_device(client, "worker2")
    assert (await stranger.get(f"/api/referrals/{args['id']}")).status_code == 404
    assert args["id"] not in {r["id"] for r in (await stranger.get("/api/referrals")).json()["referrals"]}


async def test_organisations_page_adds_one_and_shows_field_errors(client, demo):
    district = await signed_device(client, "district")
    token = client.headers["x-csrftoken"]
    wrong = await district.post("/casework/organisations", data={"name": "", "kind": "charity", "area": "440106", "_csrf_token": token}, headers={"HX-Request": "true"})
    assert wrong.status_code == 200 and 'id="name-error"' in wrong.text
    right = await district.post("/casework/organisations", data={"name": "天河区慈善会", "kind": "charity", "area": "440106", "contact_phone": "13900139000", "_csrf_token": token}, headers={"HX-Request": "true"})
    assert right.status_code == 200 and "天河区慈善会" in right.text
    assert (await district.get("/casework/organisations")).status_code == 200
    supervisor = await signed_device(client, "supervisor")
    assert (await supervisor.get("/casework/organisations")).status_code == 403
