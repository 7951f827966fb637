"""Reasons the server puts together from values read in the page's language; JSON keeps the Chinese."""

from __future__ import annotations

import re

from tests.support.auth import sign_in
from tests.support.review_cases import make_case

ENGLISH = {"accept-language": "en-GB,en;q=0.9"}


async def _stale_decision(client, case_id: str, headers: dict | None = None):
    return await client.post(
        f"/review/cases/{case_id}/decisions",
        data={"action": "approve", "expected_status": "submitted", "expected_version": "1", "in_person_confirmed": "1"},
        headers={"HX-Request": "true", "HX-Target": "decision-panel", **(headers or {})},
    )


async def test_stale_decision_is_explained_in_english_on_an_english_page(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    returned = await client.post(f"/api/review/cases/{made['case_id']}/decisions", json={"action": "return", "expected_status": "submitted", "expected_version": 1, "request": "请补充: 厨房照片"})
    assert returned.status_code == 200, returned.text
    english = await _stale_decision(client, made["case_id"], ENGLISH)
    assert english.status_code == 409
    assert "you saw version 1 (Awaiting review), it is now version 2 (Returned for more evidence)" in english.text
    assert "决定未执行" not in english.text
    chinese = await _stale_decision(client, made["case_id"])
    assert "您看到的是第 1 版（待审核），现在是第 2 版（退回补充）。决定未执行" in chinese.text


async def test_the_api_keeps_the_chinese_reason_whatever_the_language(client, demo):
    made = await make_case(status="approved")
    await sign_in(client, "supervisor", kind="desktop")
    client.cookies.set("lang", "en")
    refused = await client.post(
        f"/api/review/cases/{made['case_id']}/decisions",
        json={"action": "approve", "expected_status": "approved", "expected_version": 1, "in_person_confirmed": True},
        headers=ENGLISH,
    )
    assert refused.status_code == 400
    assert refused.json()["reason"] == "案件当前为“已批准”，不能批准。"


async def test_taken_user_name_is_refused_in_the_pages_language(client, demo):
    await sign_in(client, "supervisor")
    form = {"_csrf_token": client.headers["x-csrftoken"], "display_name": "周婷", "role": "grid_worker", "area": "440106004002", "username": "worker"}
    english = await client.post("/invitations", data=form, headers=ENGLISH)
    assert "The user name worker is already taken" in english.text
    chinese = await client.post("/invitations", data=form)
    assert "用户名 worker 已被使用" in chinese.text


async def test_eligibility_checks_name_the_applicants_age_in_english(client, demo):
    made = await make_case(type="tekun", name="王秀英")
    await sign_in(client, "supervisor", kind="desktop")
    english = await client.get(f"/casework/cases/{made['case_id']}/eligibility", headers={"HX-Request": "true", **ENGLISH})
    assert english.status_code == 200, english.text
    assert re.search(r"王秀英: \d+ years old \(60 or over\)", english.text)
    chinese = await client.get(f"/casework/cases/{made['case_id']}/eligibility", headers={"HX-Request": "true"})
    assert re.search(r"王秀英：\d+岁（60岁以上）", chinese.text)


async def test_a_plain_reason_is_refused_in_the_pages_language(client, demo):
    await sign_in(client, "supervisor")
    form = {"_csrf_token": client.headers["x-csrftoken"], "display_name": "周婷", "role": "grid_worker", "area": "440106004002", "username": "Zhou Ting!"}
    english = await client.post("/invitations", data=form, headers=ENGLISH)
    assert "The user name must be 3–64 lower-case letters, digits or . _ -" in english.text
    assert "用户名应为" not in english.text
    chinese = await client.post("/invitations", data=form)
    assert "用户名应为3–64位小写字母、数字或 . _ -" in chinese.text
