"""Pull: scoped changes, pagination, cursors, tombstones, epochs, read-your-writes."""

from __future__ import annotations

import uuid

from server.accounts.tables import User
from sync.epoch import start_new_epoch
from tests.api.test_sync_support import OTHER_COMMUNITY, household_args, mutation, new_client_id, pull_all, push
from tests.support.auth import sign_in
from tests.support.clients import app_client


def _records(changes: list[dict]) -> list[dict]:
    """The households and cases among the changes (other kinds are other packages' business)."""
    return [c for c in changes if c["kind"] in ("household", "case")]


def _ids(changes: list[dict], kind: str, op: str = "upsert") -> set[str]:
    return {c["id"] for c in changes if c["kind"] == kind and c["op"] == op}


async def test_pull_right_after_push_shows_the_pushed_records(client, demo):
    await sign_in(client, "worker")
    cid, hid, case_id = new_client_id(), str(uuid.uuid4()), str(uuid.uuid4())
    first, _ = await pull_all(client, client_id=cid)
    assert first["last_mutation_id"] == 0
    await push(client, cid, [mutation(1, "household.upsert", household_args(hid)), mutation(2, "case.create", {"id": case_id, "type": "tekun", "household_id": hid})])
    body, changes = await pull_all(client, first["cursor"], client_id=cid)
    assert body["last_mutation_id"] == 2
    assert [(c["kind"], c["id"]) for c in _records(changes)] == [("household", hid), ("case", case_id)]
    household = changes[0]["data"]
    assert household["area"] == "440106004001" and household["version"] == 1
    assert household["members"][0]["relation"] == "self" and household["members"][0]["id_number"].startswith("440106")
    assert changes[1]["data"]["household_id"] == hid and changes[1]["data"]["status"] == "draft"


async def test_pull_shows_only_the_callers_scope(client, demo):
    await sign_in(client, "worker")
    _, changes = await pull_all(client)
    assert {c["data"]["area"] for c in _records(changes)} == {"440106004001"}
    await sign_in(client, "supervisor")
    _, changes = await pull_all(client)
    assert {c["data"]["area"] for c in _records(changes)} == {"440106004001", "440106004002"}


async def test_pull_first_pull_has_the_whole_caseload_in_pages(client, demo):
    await sign_in(client, "worker")
    # The demo's worker community has 6 households and 6 cases; pages of 5.
    pages = 0
    cursor = None
    seen: list[dict] = []
    while True:
        response = await client.get("/api/sync/pull", params={"limit": 5, **({"cursor": cursor} if cursor else {})})
        body = response.json()
        assert len(body["changes"]) <= 5
        seen.extend(_records(body["changes"]))
        cursor = body["cursor"]
        pages += 1
        if not body["has_more"]:
            break
    assert pages >= 3
    assert len(_ids(seen, "household")) == 6 and len(_ids(seen, "case")) == 6
    again = (await client.get("/api/sync/pull", params={"cursor": cursor})).json()
    assert again["changes"] == [] and again["has_more"] is False and again["cursor"] == cursor


async def test_pull_cursor_survives_a_server_restart(demo):
    from server.app import create_app

    async with app_client(create_app()) as before:
        await sign_in(before, "worker")
        body, _ = await pull_all(before)
    async with app_client(create_app()) as restarted:
        await sign_in(restarted, "worker")
        hid = str(uuid.uuid4())
        await push(restarted, new_client_id(), [mutation(1, "household.upsert", household_args(hid))])
        after = (await restarted.get("/api/sync/pull", params={"cursor": body["cursor"]})).json()
    assert after["reset"] is False and after["epoch_changed"] is False
    assert [c["id"] for c in _records(after["changes"])] == [hid]


async def test_pull_sends_a_tombstone_when_a_household_moves_away(client, demo):
    await sign_in(client, "worker")
    cid, hid = new_client_id(), str(uuid.uuid4())
    await push(client, cid, [mutation(1, "household.upsert", household_args(hid)), mutation(2, "case.create", {"id": (case_id := str(uuid.uuid4())), "type": "dibao", "household_id": hid})])
    worker_cursor = (await pull_all(client))[0]["cursor"]
    await sign_in(client, "supervisor")
    supervisor_cursor = (await pull_all(client))[0]["cursor"]
    moved = household_args(hid)
    moved["area"] = OTHER_COMMUNITY
    result = (await push(client, new_client_id(), [mutation(1, "household.upsert", moved, base_version=1)])).json()["results"][0]
    assert result["status"] == "applied" and result["result"]["version"] == 2
    _, changes = await pull_all(client, supervisor_cursor)
    assert {(c["kind"], c["id"], c["op"]) for c in changes} == {("household", hid, "upsert"), ("case", case_id, "upsert")}
    await sign_in(client, "worker")
    _, changes = await pull_all(client, worker_cursor)
    assert {(c["kind"], c["id"], c["op"]) for c in changes} == {("household", hid, "delete"), ("case", case_id, "delete")}
    await sign_in(client, "worker2")
    _, changes = await pull_all(client)
    assert hid in _ids(changes, "household") and case_id in _ids(changes, "case")


async def test_pull_is_refused_once_the_user_is_deactivated(client, demo):
    user = await sign_in(client, "worker")
    assert (await client.get("/api/sync/pull")).status_code == 200
    await User.update({User.active: False}).where(User.id == user["id"])
    response = await client.get("/api/sync/pull")
    assert response.status_code == 401
    assert "changes" not in response.json()


async def test_pull_after_a_new_epoch_starts_over(client, demo):
    await sign_in(client, "worker")
    body, changes = await pull_all(client)
    await start_new_epoch("restore")
    after = (await client.get("/api/sync/pull", params={"cursor": body["cursor"]})).json()
    assert after["epoch_changed"] is True and after["reset"] is True and after["epoch"] != body["epoch"]
    assert {c["id"] for c in _records(after["changes"])} == {c["id"] for c in _records(changes)}
    settled = (await client.get("/api/sync/pull", params={"cursor": after["cursor"]})).json()
    assert settled["epoch_changed"] is False and settled["changes"] == []


async def test_push_after_a_new_epoch_may_skip_ids_the_restored_server_lost(client, demo):
    await sign_in(client, "worker")
    cid = new_client_id()
    await push(client, cid, [mutation(1, "household.upsert", household_args())])
    # The backup knew mutation 1; mutations 2-3 were lost with the newer database.
    await start_new_epoch("restore")
    body = (await push(client, cid, [mutation(4, "household.upsert", household_args(seed=4))])).json()
    assert body["results"][0]["status"] == "applied" and body["last_mutation_id"] == 4
    # Within the new epoch, gaps are refused again.
    body = (await push(client, cid, [mutation(6, "household.upsert", household_args(seed=6))])).json()
    assert body["results"][0]["status"] == "gap"


async def test_pull_with_a_foreign_cursor_is_invalid(client, demo):
    await sign_in(client, "worker")
    response = await client.get("/api/sync/pull", params={"cursor": "not-a-cursor"})
    assert response.status_code == 400 and response.json()["field"] == "cursor"


async def test_pull_cursor_of_another_scope_starts_over(client, demo):
    await sign_in(client, "worker")
    body, _ = await pull_all(client)
    await sign_in(client, "worker2")
    after = (await client.get("/api/sync/pull", params={"cursor": body["cursor"]})).json()
    assert after["reset"] is True and after["epoch_changed"] is False
    assert {c["data"]["area"] for c in _records(after["changes"])} == {OTHER_COMMUNITY}


async def test_concurrent_pulls_from_scratch_backfill_each_record_once(app, demo):
    """Two devices pulling from scratch at the same moment both back-fill the feed (`app`
    registers the record kinds)."""
    import asyncio

    from sync.epoch import current_epoch
    from sync.feed import backfill, forget_backfill
    from sync.tables import SyncChange

    await SyncChange.delete(force=True)
    await forget_backfill()
    epoch = await current_epoch()
    results = await asyncio.gather(backfill(epoch), backfill(epoch), backfill(epoch))
    rows = await SyncChange.select(SyncChange.kind, SyncChange.record_id, SyncChange.area_path)
    keys = [(r["kind"], r["record_id"], r["area_path"]) for r in rows]
    assert len(keys) == len(set(keys)) and sum(results) == len(keys) > 0


async def test_pull_sees_an_edit_of_the_record_it_pulled_last(client, demo):
    # The record's feed row is the newest one when it is edited again: the edit must get a
    # change number above the cursor (SQLite hands out max(rowid) + 1, so a deleted newest
    # row must not make its number free again).
    await sign_in(client, "worker")
    cid, hid = new_client_id(), str(uuid.uuid4())
    first, _ = await pull_all(client)
    await push(client, cid, [mutation(1, "household.upsert", household_args(hid))])
    body, changes = await pull_all(client, first["cursor"])
    assert [c["id"] for c in _records(changes)] == [hid]
    await push(client, cid, [mutation(2, "household.upsert", {"id": hid, "address": "天河北路2号"}, base_version=1)])
    after = (await client.get("/api/sync/pull", params={"cursor": body["cursor"]})).json()
    assert [(c["id"], c["data"]["address"]) for c in _records(after["changes"])] == [(hid, "天河北路2号")]
