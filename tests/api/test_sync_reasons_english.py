"""The sync engine's own reasons read in the page's language; the API and stored answers keep the Chinese."""

from __future__ import annotations

from tests.api.test_conflict_resolution_paths import as_supervisor_on_the_web, two_field_conflict
from tests.support.casework import Device

ENGLISH = {"accept-language": "en-GB,en;q=0.9"}
SETTLED = "该冲突已处理，未按这次的选择更改；请查看处理结果。"


async def test_a_conflict_settled_meanwhile_is_explained_in_the_pages_language(client, demo):
    worker, case_id, conflict = await two_field_conflict(client)
    first = await Device(client, "supervisor").post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "server", "type": "server"}})
    assert first.status_code == 200, first.text
    await as_supervisor_on_the_web(client)
    url = f"/review/cases/{case_id}/conflicts/{conflict['id']}/resolve"
    form = {"choice_notes": "device", "choice_type": "device"}
    english = await client.post(url, data=form, headers={"HX-Request": "true", **ENGLISH})
    assert english.status_code == 409 and 'data-error="conflict_resolved"' in english.text
    assert "This conflict has already been settled; your choice was not applied. See how it was settled." in english.text
    assert SETTLED not in english.text
    chinese = await client.post(url, data=form, headers={"HX-Request": "true"})
    assert chinese.status_code == 409 and SETTLED in chinese.text
    # The API does not negotiate a language: the engine's reason stays Chinese.
    client.cookies.set("lang", "en")
    api = await worker.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "device", "type": "device"}}, headers=ENGLISH)
    assert api.status_code == 409 and api.json()["reason"] == SETTLED


async def test_push_answers_keep_the_engines_chinese_and_a_resend_answers_the_same(client, demo):
    worker = Device(client, "worker")
    client.cookies.set("lang", "en")
    unknown = await worker.push("no.such.operation", {})
    assert unknown["status"] == "rejected" and unknown["reason"] == "未知的操作：no.such.operation"
    worker.next_id -= 1  # the answer was lost: the same mutation again, answered from what was stored
    again = await worker.push("no.such.operation", {})
    assert again["status"] == "duplicate" and again["reason"] == unknown["reason"]
    worker.next_id = 3  # #3 before #2
    gap = await worker.push("no.such.operation", {})
    assert gap["status"] == "gap" and gap["reason"] == "操作编号不连续：服务器已确认到 1，下一个应为 2，收到 3；请从 2 起按顺序重发"
    bad_cursor = await worker.get("/api/sync/pull", params={"cursor": "not-ours"}, headers=ENGLISH)
    assert bad_cursor.status_code == 400 and bad_cursor.json()["reason"] == "cursor 无效：请使用上一次同步返回的 cursor，或留空从头同步"
