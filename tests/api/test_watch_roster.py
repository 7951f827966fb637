"""The watch roster: proposals from household data, adding and removing by supervisors, scope."""

from __future__ import annotations

from server.audit.tables import AuditEvent
from server.watch.tables import WatchEntry
from tests.api.test_sync_support import new_client_id, pull_all
from tests.api.test_watch_support import HUASHI, NANFANG, SANYUANLI, case, demo_places, household
from tests.support.auth import sign_in


def part(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[start : html.index("</table>", start)]


async def small_world() -> dict:
    await demo_places()
    alone, = await household(HUASHI, [{"name": "独居甲", "age": 75}])
    couple = await household(HUASHI, [{"name": "老夫", "age": 78}, {"name": "老妻", "age": 76, "relation": "spouse"}])
    tekun, = await household(HUASHI, [{"name": "特困乙", "age": 58}])
    await case(tekun, "tekun", "approved")
    ill, child = await household(NANFANG, [{"name": "重病丙", "age": 50, "serious_illness": True}, {"name": "孩子丁", "age": 9}])
    young, = await household(HUASHI, [{"name": "青年戊", "age": 30}])
    faraway, = await household(SANYUANLI, [{"name": "白云己", "age": 80}])
    return {"alone": alone, "couple": couple, "tekun": tekun, "ill": ill, "child": child, "young": young, "faraway": faraway}


async def test_proposals_come_from_household_data(client):
    await small_world()
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get("/watch/")
    assert response.status_code == 200, response.text
    proposals = part(response.text, "data-proposals")
    assert "独居甲" in proposals and "独居老人" in proposals
    assert "特困乙" in proposals and "散居特困人员" in proposals
    assert "重病丙" in proposals and "重病患者" in proposals
    for name in ("老夫", "老妻", "孩子丁", "青年戊"):  # not alone, not ill, not tekun
        assert name not in proposals
    assert "白云己" not in response.text  # another district


async def test_adding_every_proposal_fills_the_roster_and_empties_the_proposals(client):
    world = await small_world()
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.post("/watch/add-proposed", data={"area": ""}, follow_redirects=True)
    assert response.status_code == 200
    assert "已将 3 人加入名单" in response.text
    roster = part(response.text, "data-roster")
    assert all(name in roster for name in ("独居甲", "特困乙", "重病丙"))
    assert "没有新的建议" in part(response.text, "data-proposals")
    rows = await WatchEntry.select(WatchEntry.person, WatchEntry.reasons).where(WatchEntry.active == True)  # noqa: E712
    assert {r["person"]: r["reasons"] for r in rows} == {world["alone"]: "elderly_alone", world["tekun"]: "tekun", world["ill"]: "serious_illness"}


async def test_supervisor_adds_a_quarantined_person_by_hand_and_removes_with_a_reason(client):
    world = await small_world()
    await sign_in(client, "supervisor", kind="desktop")
    page = await client.get(f"/watch/?area={HUASHI}")
    assert "青年戊" in page.text  # chosen from the community's residents
    added = await client.post("/watch/add", data={"area": HUASHI, "person_id": str(world["young"]), "reasons": ["quarantine", "other"], "note": "密接，居家隔离14天"}, follow_redirects=True)
    assert added.status_code == 200, added.text
    roster = part(added.text, "data-roster")
    assert "青年戊" in roster and "居家隔离" in roster and "密接，居家隔离14天" in roster
    again = await client.post("/watch/add", data={"area": HUASHI, "person_id": str(world["young"]), "reasons": "quarantine"})
    assert again.status_code == 409 and "已在每日关注名单中" in again.text
    entry = await WatchEntry.select().where(WatchEntry.person == world["young"]).first()
    refused = await client.post(f"/watch/{entry['id']}/remove", data={"area": HUASHI, "reason": ""})
    assert refused.status_code == 400 and "请填写移出原因" in refused.text
    removed = await client.post(f"/watch/{entry['id']}/remove", data={"area": HUASHI, "reason": "隔离期满"}, follow_redirects=True)
    assert "已移出名单：青年戊" in removed.text and "青年戊" not in part(removed.text, "data-roster")
    stored = await WatchEntry.select().where(WatchEntry.id == entry["id"]).first()
    assert stored["active"] is False and stored["removal_reason"] == "隔离期满" and stored["removed_at"] is not None
    actions = [r["action"] for r in await AuditEvent.select(AuditEvent.action).where(AuditEvent.target_id == str(world["young"]))]
    assert actions.count("watch.add") == 1 and actions.count("watch.remove") == 1


async def test_other_reason_needs_a_note(client):
    world = await small_world()
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.post("/watch/add", data={"person_id": str(world["young"]), "reasons": "other", "note": ""})
    assert response.status_code == 400 and "请填写说明" in response.text


async def test_person_outside_scope_cannot_be_added_and_workers_cannot_edit(client):
    world = await small_world()
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.post("/watch/add", data={"person_id": str(world["faraway"]), "reasons": "elderly_alone"})
    assert response.status_code == 404
    assert await WatchEntry.count() == 0
    await sign_in(client, "worker")
    assert (await client.get("/watch/")).status_code == 403
    assert (await client.post("/watch/add", data={"person_id": str(world["alone"]), "reasons": "elderly_alone"})).status_code == 403


async def test_pull_gives_each_worker_the_roster_of_their_community_and_drops_removed_entries(client):
    await small_world()
    await sign_in(client, "supervisor", kind="desktop")
    await client.post("/watch/add-proposed", data={})
    await sign_in(client, "worker")
    last, changes = await pull_all(client, client_id=new_client_id())
    watched = {c["data"]["name"]: c["data"] for c in changes if c["kind"] == "watch"}
    assert set(watched) == {"独居甲", "特困乙"}  # 重病丙 lives in worker2's community
    assert watched["独居甲"]["reasons"] == ["elderly_alone"] and watched["独居甲"]["age"] == 75
    assert watched["独居甲"]["area"] == HUASHI and watched["独居甲"]["kind"] == "watch"
    entry = await WatchEntry.select().where(WatchEntry.person == (await WatchEntry.select(WatchEntry.person).where(WatchEntry.id == watched["独居甲"]["id"]).first())["person"]).first()
    await sign_in(client, "supervisor", kind="desktop")
    await client.post(f"/watch/{entry['id']}/remove", data={"reason": "入住养老院"})
    await sign_in(client, "worker")
    _, later = await pull_all(client, last["cursor"])
    assert {"kind": "watch", "id": str(entry["id"]), "op": "delete"} in later
