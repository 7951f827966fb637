"""dailycheck.record through the sync push: answers, one check per person and day, the rule
for a second check, rejections, the pull, the phone page and the supervisor's "handled"."""

from __future__ import annotations

import importlib
import uuid
from datetime import datetime, time, timedelta

from server.clock import LOCAL, now, today

from server.dailycheck.tables import DailyCheck
from tests.api.test_sync_support import mutation, new_client_id, pull_all, push
from tests.api.test_watch_support import HUASHI, NANFANG, demo_places, household, watch
from tests.support.auth import sign_in


async def roster() -> dict:
    await demo_places()
    a, = await household(HUASHI, [{"name": "王阿婆", "age": 82}])
    b, = await household(HUASHI, [{"name": "李阿公", "age": 79}])
    other, = await household(NANFANG, [{"name": "南方人", "age": 70}])
    stranger, = await household(HUASHI, [{"name": "不在名单", "age": 40}])
    for pid in (a, b, other):
        await watch(pid, "elderly_alone", added=today() - timedelta(days=3))
    return {"a": a, "b": b, "other": other, "stranger": stranger}


def moment(share: float) -> str:
    """A time earlier today (local): `share` of the way from midnight to now."""
    midnight = datetime.combine(today(), time.min, tzinfo=LOCAL)
    return (midnight + (now() - midnight) * share).isoformat()


def check_args(person_id, at: str | None = None, **changes) -> dict:
    day = today().isoformat()
    args = {"id": str(uuid.uuid4()), "person_id": str(person_id), "date": day, "checked_at": at or moment(0.5), "contact_method": "phone", "all_well": "true"}
    return args | changes


async def send(client, client_id: str, *argss: dict, first: int = 1) -> list[dict]:
    mutations = [mutation(first + i, "dailycheck.record", args) for i, args in enumerate(argss)]
    response = await push(client, client_id, mutations)
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def test_all_well_in_one_tap_is_recorded_with_normal_answers(client):
    people = await roster()
    await sign_in(client, "worker")
    args = check_args(people["a"])
    [result] = await send(client, new_client_id(), args)
    assert result["status"] == "applied"
    assert result["result"] == {"id": args["id"], "person_id": str(people["a"]), "date": today().isoformat(), "outcome": "recorded"}
    row = await DailyCheck.select().where(DailyCheck.id == uuid.UUID(args["id"])).first()
    assert (row["living_status"], row["health"], row["needs"], row["all_well"], row["contact_method"]) == ("home", "stable", "", True, "phone")


async def test_a_check_is_kept_under_its_own_day(client):
    """The day the worker checked (the bureau's calendar day), not the server's system date: a
    check of yesterday sent today counts for yesterday. (Before, every new check took the server's
    date, so from local midnight until 08:00, with the server's clock in UTC, today's checks too
    were filed under the day before.)"""
    people = await roster()
    await sign_in(client, "worker")
    yesterday = today() - timedelta(days=1)
    late = check_args(people["a"], date=yesterday.isoformat(), at=datetime.combine(yesterday, time(21, 30), tzinfo=LOCAL).isoformat())
    now_ = check_args(people["b"])
    results = await send(client, new_client_id(), late, now_)
    assert [r["result"]["date"] for r in results] == [yesterday.isoformat(), today().isoformat()]
    rows = {str(r["person"]): r for r in await DailyCheck.select(DailyCheck.person, DailyCheck.check_date, DailyCheck.day_key)}
    assert rows[str(people["a"])]["check_date"] == yesterday and rows[str(people["a"])]["day_key"].endswith(yesterday.isoformat())
    assert rows[str(people["b"])]["check_date"] == today()


async def test_checks_stored_under_the_servers_date_are_filed_under_their_own_day_again(client):
    """The migration that mends the checks an earlier release stored with the server's date."""
    people = await roster()
    await sign_in(client, "worker")
    yesterday = today() - timedelta(days=1)
    args = check_args(people["a"], date=yesterday.isoformat(), at=datetime.combine(yesterday, time(21, 30), tzinfo=LOCAL).isoformat())
    right = check_args(people["b"])
    await send(client, new_client_id(), args, right)
    await DailyCheck.update({DailyCheck.check_date: today()}).where(DailyCheck.id == uuid.UUID(args["id"]))  # as stored before
    mend = importlib.import_module("server.dailycheck.piccolo_migrations.dailycheck_2026_11_29t17_00_00_000000")
    for step in (await mend.forwards()).raw:
        await step()
    days = {str(r["id"]): r["check_date"] for r in await DailyCheck.select(DailyCheck.id, DailyCheck.check_date)}
    assert days == {args["id"]: yesterday, right["id"]: today()}


async def test_detailed_check_keeps_needs_and_service(client):
    people = await roster()
    await sign_in(client, "worker")
    args = check_args(people["a"], all_well="false", living_status="home", health="unwell", needs=["medicine", "other"], needs_other="血压计没电池", service="代购降压药", contact_method="door")
    [result] = await send(client, new_client_id(), args)
    assert result["status"] == "applied", result
    row = await DailyCheck.select().where(DailyCheck.id == uuid.UUID(args["id"])).first()
    assert row["needs"] == "medicine,other" and row["needs_other"] == "血压计没电池" and row["service"] == "代购降压药"
    assert row["all_well"] is False and row["health"] == "unwell" and row["contact_method"] == "door"


async def test_later_second_check_the_same_day_replaces_the_first(client):
    people = await roster()
    await sign_in(client, "worker")
    first = check_args(people["a"], moment(0.2), all_well="false", health="stable", living_status="home", needs=["food"])
    second = check_args(people["a"], moment(0.8))
    results = await send(client, new_client_id(), first, second)
    assert [r["result"]["outcome"] for r in results] == ["recorded", "replaced"]
    assert results[1]["result"]["id"] == first["id"]  # still one record for the day
    rows = await DailyCheck.select().where(DailyCheck.person == people["a"])
    assert len(rows) == 1 and rows[0]["needs"] == "" and rows[0]["all_well"] is True and rows[0]["checks"] == 2


async def test_earlier_check_arriving_late_does_not_overwrite_the_later_one(client):
    people = await roster()
    await sign_in(client, "worker")
    later = check_args(people["a"], moment(0.8))
    earlier = check_args(people["a"], moment(0.2), all_well="false", living_status="home", health="stable", needs=["medicine"])
    [one] = await send(client, new_client_id(), later)
    [two] = await send(client, new_client_id(), earlier)  # another phone, offline all morning
    assert one["result"]["outcome"] == "recorded" and two["status"] == "applied" and two["result"]["outcome"] == "kept_later"
    row = await DailyCheck.select().where(DailyCheck.person == people["a"]).first()
    assert row["needs"] == "" and row["checks"] == 2 and str(row["id"]) == later["id"]


async def test_the_same_check_sent_again_changes_nothing(client):
    people = await roster()
    await sign_in(client, "worker")
    args = check_args(people["a"])
    cid = new_client_id()
    await send(client, cid, args)
    [again] = await send(client, cid, args, first=2)  # e.g. fixed and re-sent from the outbox
    assert again["status"] == "applied" and again["result"]["outcome"] == "unchanged"
    assert (await DailyCheck.select(DailyCheck.checks).first())["checks"] == 1


async def test_bad_checks_are_rejected_without_blocking_the_queue(client):
    people = await roster()
    await sign_in(client, "worker")
    results = await send(
        client,
        new_client_id(),
        check_args(people["stranger"]),
        check_args(people["other"]),  # worker2's community
        check_args(people["a"], all_well="true", needs=["food"]),
        check_args(people["a"], all_well="false", living_status="home", health="stable", needs=["other"]),
        check_args(people["a"], contact_method="carrier_pigeon"),
        check_args(people["a"], date=(today() + timedelta(days=1)).isoformat()),
        check_args(people["b"]),
    )
    assert [r["status"] for r in results] == ["rejected"] * 6 + ["applied"]
    assert "每日关注名单" in results[0]["reason"] and "每日关注名单" in results[1]["reason"]
    assert results[2]["field"] == "all_well"
    assert results[3]["field"] == "needs_other"
    assert results[4]["field"] == "contact_method"
    assert results[5]["field"] == "date"
    assert await DailyCheck.count() == 1


async def test_pull_gives_the_phone_todays_checks_of_its_community(client):
    people = await roster()
    await sign_in(client, "worker2")
    await send(client, new_client_id(), check_args(people["other"]))
    await sign_in(client, "worker")
    args = check_args(people["a"])
    await send(client, new_client_id(), args)
    _, changes = await pull_all(client)
    checks = [c for c in changes if c["kind"] == "dailycheck"]
    assert [c["id"] for c in checks] == [args["id"]]
    data = checks[0]["data"]
    assert data["person_id"] == str(people["a"]) and data["date"] == today().isoformat() and data["all_well"] is True
    assert data["checked_by"] == "王网格" and data["kind"] == "dailycheck"
    assert len([c for c in changes if c["kind"] == "watch"]) == 2


async def test_phone_roster_lists_people_not_checked_first_and_marked(client):
    people = await roster()
    await sign_in(client, "worker")
    await send(client, new_client_id(), check_args(people["a"]))
    html = (await client.get("/field/daily/")).text
    assert "今日已报 <b data-count-checked>1</b> / <b data-count-total>2</b>" in html
    b_at = html.index(f'data-person-id="{people["b"]}" data-state="unchecked"')
    a_at = html.index(f'data-person-id="{people["a"]}" data-state="checked"')
    assert b_at < a_at
    screen = await client.get(f"/field/daily/check?person={people['b']}")
    assert "李阿公" in screen.text and 'data-offline="dailycheck.record"' in screen.text and "全部正常" in screen.text


async def test_supervisor_marks_needs_handled_and_a_new_need_reopens_it(client):
    people = await roster()
    await sign_in(client, "worker")
    cid = new_client_id()
    first = check_args(people["a"], moment(0.2), all_well="false", living_status="home", health="stable", needs=["food"])
    await send(client, cid, first)
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.post(f"/dailycheck/{first['id']}/handled", data={"note": "社区送菜上门", "next": "/dashboards/"}, follow_redirects=True)
    assert response.status_code == 200 and "社区送菜上门" in response.text
    row = await DailyCheck.select().first()
    assert row["handled_at"] is not None and row["handled_note"] == "社区送菜上门"
    await sign_in(client, "worker")
    assert (await client.post(f"/dailycheck/{first['id']}/handled", data={"note": "x"})).status_code == 403
    later = check_args(people["a"], moment(0.9), all_well="false", living_status="home", health="stable", needs=["medicine"])
    await send(client, cid, later, first=2)
    row = await DailyCheck.select().first()
    assert row["needs"] == "medicine" and row["handled_at"] is None
