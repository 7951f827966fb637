"""A pull from scratch sees records written outside the sync feed, and back-fills each kind once per epoch."""

from __future__ import annotations

import dataclasses

import pytest

from server.demo import load_demo
from server.operations.backup import restore
from sync import registry
from sync.tables import SyncBackfill
from tests.api.test_backup import backup_folder, doorstep
from tests.api.test_sync_support import pull_all
from tests.support.auth import sign_in
from tests.support.review_cases import make_case


@pytest.fixture
def listings(monkeypatch) -> list[str]:
    """The names of the kinds whose records were listed for a back-fill, in order."""
    calls: list[str] = []

    def counting(kind: registry.RecordKind) -> registry.RecordKind:
        async def list_all():
            calls.append(kind.name)
            return await kind.list_all()

        return dataclasses.replace(kind, list_all=list_all)

    kinds = {name: counting(kind) if kind.list_all else kind for name, kind in registry._KINDS.items()}
    monkeypatch.setattr(registry, "_KINDS", kinds)
    return calls


async def _ids_from_scratch(client) -> dict[str, dict]:
    _, changes = await pull_all(client, limit=2000)
    return {change["id"]: change for change in changes}


async def test_second_pull_from_scratch_lists_no_kind_again(client, demo, listings):
    await sign_in(client, "worker")
    first = await _ids_from_scratch(client)
    assert first and listings, "the first pull from scratch back-fills the demo's records"
    markers = await SyncBackfill.count()
    listings.clear()
    second = await _ids_from_scratch(client)
    assert listings == [] and await SyncBackfill.count() == markers
    assert second.keys() == first.keys()


async def test_pull_from_scratch_after_a_web_decision_sees_the_case_and_its_task(client, demo, listings):
    made = await make_case()  # written straight to the tables, before anyone pulled: back-filled
    await sign_in(client, "worker")
    assert made["case_id"] in await _ids_from_scratch(client)
    listings.clear()

    await sign_in(client, "supervisor", kind="desktop")
    decided = await client.post(
        f"/review/cases/{made['case_id']}/decisions",
        data={"action": "return", "expected_status": "submitted", "expected_version": "1", "request": "请补充: 厨房照片"},
    )
    assert decided.status_code in (200, 303), decided.text

    await sign_in(client, "worker")
    pulled = await _ids_from_scratch(client)
    assert listings == [], "the decision touched the feed itself: no back-fill needed"
    assert pulled[made["case_id"]]["data"]["status"] == "returned"
    tasks = [c for c in pulled.values() if c["kind"] == "task" and c["data"]["case_id"] == made["case_id"]]
    assert len(tasks) == 1 and tasks[0]["data"]["request"] == "请补充: 厨房照片"


async def test_pull_from_scratch_after_the_demo_is_loaded_sees_its_records(client, listings):
    from sync.epoch import current_epoch
    from sync.feed import backfill

    await backfill(await current_epoch())  # an empty installation already pulled once: markers set
    assert await SyncBackfill.count() > 0
    await load_demo()
    await sign_in(client, "worker")
    pulled = await _ids_from_scratch(client)
    assert listings, "the demo made the next pull from scratch back-fill again"
    assert {"household", "watch"} <= {change["kind"] for change in pulled.values()}


async def test_pull_from_scratch_after_a_restore_sees_records_the_feed_never_knew(client, demo, tmp_path, listings):
    await sign_in(client, "worker")
    await _ids_from_scratch(client)  # markers set in the first epoch
    made = await make_case()  # written without touching the feed, after the back-fill
    folder = backup_folder(doorstep("backup", "--to", str(tmp_path)))
    await restore(folder, force=True)
    listings.clear()

    pulled = await _ids_from_scratch(client)
    assert listings, "a new epoch back-fills once"
    assert made["case_id"] in pulled and made["household_id"] in pulled
