"""The review queue: scope, counts, filters, search with masked ID numbers, keyset pages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from server.audit.tables import AuditEvent
from server.review import queue
from tests.support.auth import sign_in
from tests.support.review_cases import make_case


async def test_queue_lists_only_cases_in_scope(client, demo):
    own = await make_case(community="440106004001", name="本街道甲")
    other = await make_case(community="440111002001", worker="worker3", name="外区乙")
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get("/api/review/queue", params={"q": "本街道甲"})
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["cases"]] == [own["case_id"]]
    response = await client.get("/api/review/queue", params={"q": "外区乙"})
    assert response.json()["cases"] == []
    assert (await client.get(f"/review/cases/{other['case_id']}")).status_code == 404


async def test_queue_search_by_id_number_shows_it_masked(client, demo):
    made = await make_case(name="赵测试", serial=777)
    await sign_in(client, "supervisor", kind="desktop")
    body = (await client.get("/api/review/queue", params={"q": made["id_number"], "status": ""})).json()
    assert [c["id"] for c in body["cases"]] == [made["case_id"]]
    shown = body["cases"][0]["id_number"]
    assert shown == made["id_number"][:6] + "********" + made["id_number"][-4:]
    page = await client.get("/review/", params={"q": made["id_number"], "status": ""})
    table = page.text[page.text.index('<table class="queue"') : page.text.index("</table>")]
    assert made["id_number"] not in table and shown in table
    searches = await AuditEvent.select(AuditEvent.detail).where(AuditEvent.action == "review.search").output(load_json=True)
    assert [e["detail"]["q"] for e in searches] == [shown, shown]


async def test_queue_search_by_address(client, demo):
    made = await make_case(address="荔湾测试巷99号")
    await sign_in(client, "supervisor", kind="desktop")
    body = (await client.get("/api/review/queue", params={"q": "测试巷99"})).json()
    assert [c["id"] for c in body["cases"]] == [made["case_id"]]


async def test_queue_counts_by_status_and_type(client, demo):
    await sign_in(client, "supervisor", kind="desktop")
    before = (await client.get("/api/review/queue")).json()["counts"]
    await make_case(type="tekun", status="submitted")
    await make_case(type="tekun", status="publicizing")
    await make_case(type="dibao", status="approved")
    after = (await client.get("/api/review/queue")).json()["counts"]
    assert after["type"]["tekun"] == before["type"].get("tekun", 0) + 2
    assert after["status"]["publicizing"] == before["status"].get("publicizing", 0) + 1
    assert after["todo"] == before["todo"] + 2


async def test_queue_filters_type_status_community_worker(client, demo):
    a = await make_case(community="440106004002", worker="worker2", type="temporary", status="returned", name="筛选甲")
    await sign_in(client, "supervisor", kind="desktop")
    body = (await client.get("/api/review/queue", params={"type": "temporary", "status": "returned", "community": "440106004002"})).json()
    assert a["case_id"] in [c["id"] for c in body["cases"]]
    assert all(c["type"] == "temporary" and c["status"] == "returned" and c["community"] == "440106004002" for c in body["cases"])
    worker2 = body["cases"][0]["assigned_to"]
    body = (await client.get("/api/review/queue", params={"worker": worker2, "status": ""})).json()
    assert body["cases"] and all(c["assigned_to"] == worker2 for c in body["cases"])


async def test_queue_date_range_and_overdue(client, demo):
    old = await make_case(opened_at=datetime.now(timezone.utc) - timedelta(days=90), name="超期甲")
    fresh = await make_case(opened_at=datetime.now(timezone.utc) - timedelta(days=1), name="新案乙")
    await sign_in(client, "supervisor", kind="desktop")
    body = (await client.get("/api/review/queue", params={"overdue": "1", "status": ""})).json()
    ids = [c["id"] for c in body["cases"]]
    assert old["case_id"] in ids and fresh["case_id"] not in ids
    assert all(c["overdue"] for c in body["cases"])
    start = (datetime.now(timezone.utc) - timedelta(days=2)).date().isoformat()
    body = (await client.get("/api/review/queue", params={"from": start, "q": "新案乙"})).json()
    assert [c["id"] for c in body["cases"]] == [fresh["case_id"]]
    body = (await client.get("/api/review/queue", params={"from": start, "q": "超期甲"})).json()
    assert body["cases"] == []


async def test_queue_date_range_counts_the_bureaus_days(client, demo):
    """from/to are local calendar days: 23:30 and 00:30 China time are on two days, though both
    fall on the same UTC day."""
    late = await make_case(opened_at=datetime(2026, 11, 20, 15, 30, tzinfo=timezone.utc), name="跨日甲")  # 11-20 23:30 local
    early = await make_case(opened_at=datetime(2026, 11, 20, 16, 30, tzinfo=timezone.utc), name="跨日乙")  # 11-21 00:30 local
    await sign_in(client, "supervisor", kind="desktop")

    async def opened(day_from: str, day_to: str) -> list[str]:
        params = {"from": day_from, "to": day_to, "q": "跨日", "status": ""}
        return sorted(c["id"] for c in (await client.get("/api/review/queue", params=params)).json()["cases"])

    assert await opened("2026-11-20", "2026-11-20") == [late["case_id"]]
    assert await opened("2026-11-21", "2026-11-21") == [early["case_id"]]
    assert await opened("2026-11-20", "2026-11-21") == sorted([late["case_id"], early["case_id"]])


async def test_queue_keyset_pages_cover_every_case_once(client, demo):
    for i in range(7):
        await make_case(name=f"分页{i}", opened_at=datetime.now(timezone.utc) - timedelta(hours=i))
    await sign_in(client, "supervisor", kind="desktop")
    seen, cursor = [], None
    while True:
        params = {"q": "分页", "limit": "3", "sort": "opened_desc"}
        if cursor:
            params["cursor"] = cursor
        body = (await client.get("/api/review/queue", params=params)).json()
        seen += [c["applicant"] for c in body["cases"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert seen == [f"分页{i}" for i in range(7)]


async def test_queue_refuses_worker(client, demo):
    await sign_in(client, "worker")
    assert (await client.get("/api/review/queue")).status_code == 403


async def test_queue_page_renders_rows_for_keyboard_navigation(client, demo):
    made = await make_case(name="键盘甲")
    await sign_in(client, "supervisor", kind="desktop")
    page = await client.get("/review/")
    assert page.status_code == 200
    assert f'data-href="/review/cases/{made["case_id"]}"' in page.text
    assert "/static/js/review-keys.js" in page.text
    fragment = await client.get("/review/", params={"q": "键盘甲"}, headers={"HX-Request": "true", "HX-Target": "queue-results"})
    assert fragment.text.lstrip().startswith('<section id="queue-results"')


async def test_id_number_prefix_search_finds_the_same_cases_listed_or_not(client, demo, monkeypatch):
    made = [await make_case(name=f"前缀{i}", serial=500 + i) for i in range(3)]
    other = await make_case(name="别人", serial=900)
    await sign_in(client, "supervisor", kind="desktop")
    prefix = made[0]["id_number"][:15]  # the three share it; the fourth does not (serial 9xx)

    async def found() -> set[str]:
        body = (await client.get("/api/review/queue", params={"q": prefix, "status": "", "limit": "200"})).json()
        return {c["id"] for c in body["cases"]}

    listed = await found()  # three people: their households are named in the query
    monkeypatch.setattr(queue, "LISTED_HOUSEHOLDS", 2)
    unlisted = await found()  # more than the limit: the query selects them itself
    assert listed == unlisted == {m["case_id"] for m in made}
    assert other["case_id"] not in listed
    body = (await client.get("/api/review/queue", params={"q": "440106199912310", "status": ""})).json()
    assert body["cases"] == []
