"""The three ways a person settles a conflict — the supervisor's case page, the online API, the
phone's outbox — go through one function: per-field choices, one audit event
`case.conflict_resolve`, one entry in the case page's history, and a stale or repeated
resolution refused with its reason."""

from __future__ import annotations

import asyncio
import contextvars
import re
import uuid
from datetime import datetime, timezone

import pytest

from server.accounts.sessions import COOKIE_NAME, load_session
from server.audit.services import record
from server.audit.tables import AuditEvent
from server.cases.tables import Case
from server.sync_api.resolution import resolve_and_audit
from sync.errors import ConflictClosed
from sync.tables import SyncConflict
from tests.support.auth import sign_in
from tests.support.casework import Device, signed_device

PATHS = ("review", "api", "outbox")
SERVER = {"notes": "审核人员：电话核实属实", "type": "temporary"}
DEVICE = {"notes": "网格员：邻居证实", "type": "tekun"}


async def two_field_conflict(client) -> tuple[Device, str, dict]:
    """The supervisor and the worker both change a case's notes and type from version 1."""
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    supervisor = await signed_device(client, "supervisor")
    await supervisor.apply("case.update", {"id": case_id, "changes": SERVER}, base_version=1)
    answer = await worker.push("case.update", {"id": case_id, "changes": DEVICE}, base_version=1)
    assert answer["status"] == "conflict" and set(answer["conflict"]["fields"]) == {"notes", "type"}
    return worker, case_id, answer["conflict"]


async def as_supervisor_on_the_web(client) -> None:
    await sign_in(client, "supervisor", kind="desktop")
    client.casework_user = None  # a Device signs its person in again


async def resolve(client, worker: Device, path: str, case_id: str, conflict_id: str, choices: dict, **mutation) -> tuple[int, dict | str]:
    """Settle by one path; answers (HTTP status or 200 for a push, the JSON answer, push result or page)."""
    if path == "review":
        await as_supervisor_on_the_web(client)
        response = await client.post(f"/review/cases/{case_id}/conflicts/{conflict_id}/resolve",
                                     data={f"choice_{name}": choice for name, choice in choices.items()}, headers={"HX-Request": "true"})
        return response.status_code, response.text
    if path == "api":
        response = await worker.post(f"/api/sync/conflicts/{conflict_id}/resolve", json={"choices": choices})
        return response.status_code, response.json()
    return 200, await worker.push("conflict.resolve", {"conflict_id": conflict_id, "choices": choices}, **mutation)


async def events_of(conflict_id: str) -> list[dict]:
    return await AuditEvent.select(AuditEvent.action, AuditEvent.target_type, AuditEvent.detail).where(
        AuditEvent.target_id == conflict_id).output(load_json=True)


async def history_of(client, case_id: str) -> str:
    """The 办理经过 section of the supervisor's case page."""
    await as_supervisor_on_the_web(client)
    page = (await client.get(f"/review/cases/{case_id}")).text
    return page[page.index('id="history"'):page.index("</section>", page.index('id="history"'))]


async def case_fields(case_id: str) -> dict:
    return await Case.select(Case.notes, Case.type).where(Case.id == case_id).first()


@pytest.mark.parametrize("path", PATHS)
async def test_resolve_per_field_writes_one_event_and_one_history_entry(client, demo, path):
    worker, case_id, conflict = await two_field_conflict(client)
    status, answer = await resolve(client, worker, path, case_id, conflict["id"], {"notes": "device", "type": "server"})
    assert status == 200, answer
    if path == "outbox":
        assert answer["status"] == "applied" and answer["result"]["resolution"] == {"notes": "device", "type": "server"}
    assert await case_fields(case_id) == {"notes": DEVICE["notes"], "type": SERVER["type"]}
    events = await events_of(conflict["id"])
    assert [(e["action"], e["target_type"], e["detail"]["via"], e["detail"]["choices"]) for e in events] == [
        ("case.conflict_resolve", "conflict", path, {"notes": "device", "type": "server"})]
    assert await AuditEvent.count().where(AuditEvent.action == "sync.conflict.resolve") == 0
    assert await AuditEvent.count().where((AuditEvent.target_type == "case") & (AuditEvent.action == "case.conflict_resolve")) == 0
    history = await history_of(client, case_id)
    assert len(re.findall(r"<code>case\.conflict_resolve</code>", history)) == 1
    assert re.search(r"同步冲突已处理：\s*(备注 设备的值、救助类型 服务器的值|救助类型 服务器的值、备注 设备的值)", history)


@pytest.mark.parametrize("path", PATHS)
async def test_resolve_with_one_choice_for_every_field_as_older_phones_queue_it(client, demo, path):
    worker, case_id, conflict = await two_field_conflict(client)
    status, answer = await resolve(client, worker, path, case_id, conflict["id"], {"notes": "device", "type": "device"})
    assert status == 200 and (path != "outbox" or answer["status"] == "applied"), answer
    assert await case_fields(case_id) == DEVICE


@pytest.mark.parametrize("path", PATHS)
async def test_resolve_after_someone_else_resolved_is_refused_with_the_reason(client, demo, path):
    worker, case_id, conflict = await two_field_conflict(client)
    supervisor = Device(client, "supervisor")
    first = await supervisor.post(f"/api/sync/conflicts/{conflict['id']}/resolve", json={"choices": {"notes": "server", "type": "server"}})
    assert first.status_code == 200, first.text
    status, answer = await resolve(client, worker, path, case_id, conflict["id"], {"notes": "device", "type": "device"})
    reason = "该冲突已处理，未按这次的选择更改；请查看处理结果。"
    if path == "review":
        assert status == 409 and 'id="conflicts"' in answer and 'data-error="conflict_resolved"' in answer and reason in answer
    elif path == "api":
        assert status == 409 and answer["error"] == "conflict_resolved" and answer["reason"] == reason
        assert answer["conflict"]["resolution"] == {"notes": "server", "type": "server"}
    else:
        assert answer["status"] == "rejected" and answer["details"]["code"] == "conflict_resolved" and answer["reason"] == reason
    assert await case_fields(case_id) == SERVER
    assert [e["detail"]["via"] for e in await events_of(conflict["id"])] == ["api"]
    assert len(re.findall(r"<code>case\.conflict_resolve</code>", await history_of(client, case_id))) == 1


@pytest.mark.parametrize("path", PATHS)
async def test_resolve_sent_twice_is_applied_once(client, demo, path):
    worker, case_id, conflict = await two_field_conflict(client)
    choices = {"notes": "device", "type": "server"}
    assert (await resolve(client, worker, path, case_id, conflict["id"], choices))[0] == 200
    if path == "outbox":
        # The same outbox entry again (the answer was lost): the engine's duplicate.
        worker.next_id -= 1
        again = (await resolve(client, worker, path, case_id, conflict["id"], choices))[1]
        assert again["status"] == "duplicate"
    else:
        # A second click, or a second client of the same person: refused, the first one stands.
        status, again = await resolve(client, worker, path, case_id, conflict["id"], choices)
        assert status == 409 and ("conflict_resolved" in again if path == "review" else again["error"] == "conflict_resolved")
    assert len(await events_of(conflict["id"])) == 1
    assert len(re.findall(r"<code>case\.conflict_resolve</code>", await history_of(client, case_id))) == 1


async def in_a_fresh_context(coroutine):
    """Run outside the caller's transaction (Piccolo keeps the current one in a context variable)."""
    return await asyncio.create_task(coroutine, context=contextvars.Context())


@pytest.mark.postgres_only
async def test_a_resolution_waiting_for_another_then_finds_it_resolved(client, demo):
    worker, case_id, conflict = await two_field_conflict(client)
    await worker.get("/api/sync/conflicts")  # the client is signed in as the worker
    user = await load_session(client.cookies.get(COOKIE_NAME))
    async with SyncConflict._meta.db.transaction():
        # Another resolution holds the conflict, not yet committed.
        await SyncConflict.update({SyncConflict.status: "resolved", SyncConflict.resolution: {"notes": "server", "type": "server"}}).where(
            SyncConflict.conflict_id == conflict["id"])
        second = asyncio.create_task(resolve_and_audit(user, conflict["id"], {"notes": "device", "type": "device"}, via="api"),
                                     context=contextvars.Context())  # its own transaction and connection
        for _ in range(200):  # until the second waits for that lock (at most 10 s)
            waiting = await asyncio.create_task(SyncConflict.raw("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'").run(),
                                                context=contextvars.Context())
            if waiting[0]["n"]:
                break
            await asyncio.sleep(0.05)
        assert waiting[0]["n"], "the second resolution never waited for the first"
    with pytest.raises(ConflictClosed):
        await second
    assert await case_fields(case_id) == SERVER
    assert await events_of(conflict["id"]) == []


async def test_history_still_shows_resolutions_recorded_under_the_former_names(client, demo):
    worker, case_id, conflict = await two_field_conflict(client)
    # As the web wrote them (on the case) and as the API and the phone wrote them (on the conflict).
    await record(None, "case.conflict_resolve", "case", case_id, {"conflict": conflict["id"], "choices": {"notes": "server", "type": "server"}}, actor_name="旧审核")
    await record(None, "sync.conflict.resolve", "conflict", conflict["id"], {"choices": {"notes": "server", "type": "server"}}, actor_name="旧网格员")
    history = await history_of(client, case_id)
    assert len(re.findall(r"旧审核 · <code>case\.conflict_resolve</code>", history)) == 1
    assert len(re.findall(r"旧网格员 · <code>sync\.conflict\.resolve</code>", history)) == 1


async def test_history_of_a_case_lists_the_resolution_of_its_household_conflict(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    household_id = str((await Case.select(Case.household).where(Case.id == case_id).first())["household"])
    conflict_id = str(uuid.uuid4())
    await SyncConflict.insert(SyncConflict(
        conflict_id=conflict_id, kind="household", record_id=household_id, area_path="440100/440106/440106004/440106004001/",
        fields={"address": {"server": "石牌东路8号3栋201房", "device": "石牌东路8号3栋202房"}}, base_version=1, server_version=2,
        status="open", client_id="c1", mutation_id=3, user_id=1, created_at=datetime.now(timezone.utc),
    ))
    assert (await worker.post(f"/api/sync/conflicts/{conflict_id}/resolve", json={"choices": {"address": "server"}})).status_code == 200
    assert len(re.findall(r"<code>case\.conflict_resolve</code>", await history_of(client, case_id))) == 1


async def test_resolve_on_the_page_of_another_case_is_not_found(client, demo):
    worker, case_id, conflict = await two_field_conflict(client)
    other_case = await worker.new_case("temporary")
    await as_supervisor_on_the_web(client)
    response = await client.post(f"/review/cases/{other_case}/conflicts/{conflict['id']}/resolve",
                                 data={"choice_notes": "device", "choice_type": "device"})
    assert response.status_code == 404
    assert (await SyncConflict.select(SyncConflict.status).where(SyncConflict.conflict_id == conflict["id"]).first())["status"] == "open"


async def test_resolve_on_the_page_without_a_choice_for_every_field_shows_the_panel_with_the_reason(client, demo):
    worker, case_id, conflict = await two_field_conflict(client)
    await as_supervisor_on_the_web(client)
    response = await client.post(f"/review/cases/{case_id}/conflicts/{conflict['id']}/resolve",
                                 data={"choice_notes": "device"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert 'data-error="invalid"' in response.text and "救助类型" in response.text and f'data-conflict="{conflict["id"]}"' in response.text
    assert await events_of(conflict["id"]) == []


async def test_case_page_shows_a_finances_conflict_in_words_like_the_phone(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    await SyncConflict.insert(SyncConflict(
        conflict_id=str(uuid.uuid4()), kind="finances", record_id=case_id, area_path="440100/440106/440106004/440106004001/",
        fields={"incomes": {"server": [{"member": "王伟", "kind": "wage", "amount": "1900.00"}], "device": []}}, base_version=1,
        server_version=2, status="open", client_id="c1", mutation_id=3, user_id=1, created_at=datetime.now(timezone.utc),
    ))
    await as_supervisor_on_the_web(client)
    page = (await client.get(f"/review/cases/{case_id}")).text
    panel = page[page.index('id="conflicts"'):]
    panel = panel[:panel.index("</section>")]
    assert "家庭经济状况" in panel and "<td>收入</td>" in panel
    assert "王伟 工资性收入 1900.00" in panel and "（无）" in panel and "{" not in panel.split("<tbody>")[1]
    assert "wage" not in panel.split("<tbody>")[1]  # the code in words, as the phone says it


async def test_codes_in_a_conflict_are_words_in_english_too(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    await SyncConflict.insert(SyncConflict(
        conflict_id=str(uuid.uuid4()), kind="case", record_id=case_id, area_path="440100/440106/440106004/440106004001/",
        fields={"type": {"server": "dibao", "device": "tekun"}, "notes": {"server": "wage", "device": ""}}, base_version=1,
        server_version=2, status="open", client_id="c1", mutation_id=3, user_id=1, created_at=datetime.now(timezone.utc),
    ))
    await as_supervisor_on_the_web(client)
    page = (await client.get(f"/review/cases/{case_id}", headers={"accept-language": "en"})).text
    rows = page[page.index('id="conflicts"'):].split("<tbody>")[1].split("</tbody>")[0]
    assert "Minimum living guarantee (dibao)" in rows and "Extreme-poverty support (tekun)" in rows
    assert "wage" in rows  # a note that happens to spell a code stays as written
