"""Push: exactly-once effect, duplicates, gaps, rejections, retries, ownership of client ids."""

from __future__ import annotations

import asyncio
import uuid

from server.cases.tables import Case
from server.households.tables import Household, Person
from sync.clock import now
from sync.db import write_transaction
from sync.registry import MutationContext, Rejected, RetryLater, expect_state, handler_for, register, register_batched
from sync.tables import SyncChange, SyncMutation
from tests.api.test_sync_support import OTHER_COMMUNITY, household_args, id_number, mutation, new_client_id, push
from tests.support.auth import sign_in


async def test_push_household_and_case_are_applied(client, demo):
    await sign_in(client, "worker")
    cid, hid, case_id = new_client_id(), str(uuid.uuid4()), str(uuid.uuid4())
    response = await push(
        client,
        cid,
        [
            mutation(1, "household.upsert", household_args(hid)),
            mutation(2, "case.create", {"id": case_id, "type": "dibao", "household_id": hid}),
        ],
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["last_mutation_id"] == 2
    assert [r["status"] for r in body["results"]] == ["applied", "applied"]
    assert body["results"][1]["result"] == {"id": case_id, "version": 1}
    household = await Household.select().where(Household.id == uuid.UUID(hid)).first()
    assert household["address"] == "天河北路1号"
    person = await Person.select().where(Person.household == uuid.UUID(hid)).first()
    assert person["relation"] == "self" and person["sex"] == "M" and str(person["birth_date"]) == "1980-01-01"
    case = await Case.select().where(Case.id == uuid.UUID(case_id)).first()
    assert case["status"] == "draft" and case["type"] == "dibao" and case["area"] == household["area"]


async def test_push_duplicate_mutation_is_not_reapplied(client, demo):
    user = await sign_in(client, "worker")
    cid, hid = new_client_id(), str(uuid.uuid4())
    first = (await push(client, cid, [mutation(1, "household.upsert", household_args(hid))])).json()
    again = (await push(client, cid, [mutation(1, "household.upsert", household_args(hid, address="改过的地址"))])).json()
    assert again["last_mutation_id"] == 1
    assert again["results"][0]["status"] == "duplicate"
    assert again["results"][0]["original_status"] == "applied"
    assert again["results"][0]["result"] == first["results"][0]["result"]
    household = await Household.select(Household.address, Household.version).where(Household.id == uuid.UUID(hid)).first()
    assert household == {"address": "天河北路1号", "version": 1}
    stored = await SyncMutation.select().where(SyncMutation.client_id == cid)
    assert len(stored) == 1 and stored[0]["user_id"] == user["id"]


async def test_push_with_a_gap_is_refused_and_nothing_after_it_applies(client, demo):
    await sign_in(client, "worker")
    cid = new_client_id()
    h1, h3, h4 = (str(uuid.uuid4()) for _ in range(3))
    body = (
        await push(
            client,
            cid,
            [mutation(1, "household.upsert", household_args(h1)), mutation(3, "household.upsert", household_args(h3)), mutation(4, "household.upsert", household_args(h4))],
        )
    ).json()
    assert body["last_mutation_id"] == 1
    assert [r["status"] for r in body["results"]] == ["applied", "gap"]
    assert body["results"][1]["expected_id"] == 2
    assert "下一个应为 2" in body["results"][1]["reason"]
    assert await Household.count().where(Household.id.is_in([uuid.UUID(h3), uuid.UUID(h4)])) == 0


async def test_push_rejected_mutation_does_not_block_later_ones(client, demo):
    await sign_in(client, "worker")
    cid, good = new_client_id(), str(uuid.uuid4())
    bad = household_args()
    valid = bad["members"][0]["id_number"]
    bad["members"][0]["id_number"] = valid[:-1] + ("1" if valid[-1] != "1" else "2")
    body = (await push(client, cid, [mutation(1, "household.upsert", bad), mutation(2, "household.upsert", household_args(good))])).json()
    assert body["last_mutation_id"] == 2
    rejected, applied = body["results"]
    assert rejected["status"] == "rejected" and rejected["field"] == "members[0].id_number" and "校验码" in rejected["reason"]
    assert applied["status"] == "applied"
    assert await Household.count().where(Household.id == uuid.UUID(bad["id"])) == 0
    # Re-sending the rejected one answers the original rejection, reason and all.
    again = (await push(client, cid, [mutation(1, "household.upsert", bad)])).json()["results"][0]
    assert again["status"] == "duplicate" and again["original_status"] == "rejected" and again["reason"] == rejected["reason"]


async def test_push_outside_scope_is_rejected_with_the_field(client, demo):
    await sign_in(client, "worker")
    body = (await push(client, new_client_id(), [mutation(1, "household.upsert", household_args(area="440111002001"))])).json()
    result = body["results"][0]
    assert result["status"] == "rejected" and result["field"] == "area"
    assert body["last_mutation_id"] == 1


async def test_push_unknown_mutation_is_rejected(client, demo):
    await sign_in(client, "worker")
    body = (await push(client, new_client_id(), [mutation(1, "no.such.thing", {})])).json()
    assert body["results"][0]["status"] == "rejected" and body["results"][0]["field"] == "name"


async def test_push_case_for_unknown_household_is_rejected(client, demo):
    await sign_in(client, "worker")
    args = {"id": str(uuid.uuid4()), "type": "dibao", "household_id": str(uuid.uuid4())}
    result = (await push(client, new_client_id(), [mutation(1, "case.create", args)])).json()["results"][0]
    assert result["status"] == "rejected" and result["field"] == "household_id"


async def test_push_case_with_unknown_type_is_rejected(client, demo):
    await sign_in(client, "worker")
    hid = str(uuid.uuid4())
    body = (
        await push(client, new_client_id(), [mutation(1, "household.upsert", household_args(hid)), mutation(2, "case.create", {"id": str(uuid.uuid4()), "type": "lottery", "household_id": hid})])
    ).json()
    assert body["results"][1]["status"] == "rejected" and body["results"][1]["field"] == "type"


async def test_push_client_id_of_another_user_is_refused(client, demo):
    await sign_in(client, "worker")
    cid = new_client_id()
    assert (await push(client, cid, [mutation(1, "household.upsert", household_args())])).status_code == 200
    await sign_in(client, "worker2")
    response = await push(client, cid, [mutation(2, "household.upsert", household_args(area=OTHER_COMMUNITY))])
    assert response.status_code == 403
    assert response.json()["error"] == "client_not_yours"
    assert (await client.get("/api/sync/pull", params={"client_id": cid})).status_code == 403


async def test_push_without_session_is_unauthorized(client, demo):
    response = await push(client, new_client_id(), [])
    assert response.status_code in (401, 403)


async def test_push_malformed_envelope_is_invalid(client, demo):
    await sign_in(client, "worker")
    response = await client.post("/api/sync/push", json={"client_id": new_client_id(), "mutations": [{"id": 0, "name": "x"}]})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid"


async def test_push_records_who_which_device_and_when(client, demo):
    user = await sign_in(client, "worker")
    cid = new_client_id()
    await push(client, cid, [mutation(1, "household.upsert", household_args(), created_at="2026-05-23T09:14:00+08:00")])
    row = await SyncMutation.select().where(SyncMutation.client_id == cid).first()
    assert row["user_id"] == user["id"]
    assert row["created_at"].isoformat().startswith("2026-05-23T01:14:00")
    assert row["received_at"] > row["created_at"]
    assert row["session_id"] is not None


# A handler registered by this test module, to drive the engine's other outcomes.
@register("test.sync.outcome")
async def _outcome(ctx, args: dict) -> dict:
    from server.households.services import clean_fields, create_household

    mode = args.get("mode")
    if mode == "retry":
        raise RetryLater("上传尚未完成")
    if mode == "stale":
        expect_state("approved", "submitted")
    if mode == "boom":
        raise RuntimeError("a bug in a handler")
    if mode == "half":  # writes, then fails: the write must not survive
        await create_household(ctx.actor, uuid.UUID(args["household"]["id"]), clean_fields(args["household"], creating=True), ctx.received_at)
        raise Rejected("写了一半", field="mode")
    return {"mode": mode}


async def test_push_retry_later_stops_the_batch_without_advancing(client, demo):
    await sign_in(client, "worker")
    cid = new_client_id()
    body = (await push(client, cid, [mutation(1, "test.sync.outcome", {"mode": "ok"}), mutation(2, "test.sync.outcome", {"mode": "retry"}), mutation(3, "test.sync.outcome", {"mode": "ok"})])).json()
    assert body["last_mutation_id"] == 1
    assert [(r["id"], r["status"]) for r in body["results"]] == [(1, "applied"), (2, "retry")]
    assert body["results"][1]["reason"] == "上传尚未完成"
    later = (await push(client, cid, [mutation(2, "test.sync.outcome", {"mode": "ok"}), mutation(3, "test.sync.outcome", {"mode": "ok"})])).json()
    assert [r["status"] for r in later["results"]] == ["applied", "applied"] and later["last_mutation_id"] == 3


async def test_push_handler_bug_answers_retry_and_applies_nothing(client, demo):
    await sign_in(client, "worker")
    body = (await push(client, new_client_id(), [mutation(1, "test.sync.outcome", {"mode": "boom"})])).json()
    assert body["last_mutation_id"] == 0 and body["results"][0]["status"] == "retry"


async def test_push_stale_workflow_step_answers_conflict_with_expected_state(client, demo):
    await sign_in(client, "worker")
    body = (await push(client, new_client_id(), [mutation(1, "test.sync.outcome", {"mode": "stale"})])).json()
    result = body["results"][0]
    assert result["status"] == "conflict" and result["expected"] == "submitted" and result["actual"] == "approved"
    assert body["last_mutation_id"] == 1


async def test_push_rejected_mutation_leaves_no_partial_write(client, demo):
    await sign_in(client, "worker")
    household = household_args()
    body = (await push(client, new_client_id(), [mutation(1, "test.sync.outcome", {"mode": "half", "household": household})])).json()
    assert body["results"][0]["status"] == "rejected"
    assert await Household.count().where(Household.id == uuid.UUID(household["id"])) == 0
    assert await SyncChange.count().where(SyncChange.record_id == household["id"]) == 0  # its feed touch was taken back


async def test_push_twice_at_once_applies_each_mutation_once(client, demo):
    await sign_in(client, "worker")
    cid = new_client_id()
    batch = [mutation(i, "household.upsert", household_args(seed=i)) for i in range(1, 21)]
    first, second = await asyncio.gather(push(client, cid, batch), push(client, cid, batch))
    statuses = sorted(r["status"] for r in first.json()["results"] + second.json()["results"])
    assert statuses == ["applied"] * 20 + ["duplicate"] * 20
    ids = [uuid.UUID(m["args"]["id"]) for m in batch]
    assert await Household.count().where(Household.id.is_in(ids)) == 20
    assert await SyncMutation.count().where(SyncMutation.client_id == cid) == 20


async def _push_new_household_and(client, cid: str, hid: str, *rest: dict) -> dict:
    """Push the creation of household `hid`, then the mutations `rest` (ids 2, 3 ...); answers the body."""
    batch = [mutation(1, "household.upsert", household_args(hid))]
    batch += [mutation(index, m["name"], m["args"], base_version=m.get("base_version")) for index, m in enumerate(rest, start=2)]
    return (await push(client, cid, batch)).json()


async def test_push_household_created_moved_and_given_a_case_in_one_batch(client, demo):
    # The creation is staged, the move goes through the plain handler (which must see the
    # staged household), and the case then follows the household to its new community.
    await sign_in(client, "supervisor")
    cid, hid, case_id = new_client_id(), str(uuid.uuid4()), str(uuid.uuid4())
    body = await _push_new_household_and(
        client,
        cid,
        hid,
        {"name": "household.upsert", "args": {"id": hid, "area": OTHER_COMMUNITY}, "base_version": 1},
        {"name": "case.create", "args": {"id": case_id, "type": "dibao", "household_id": hid}},
    )
    assert [r["status"] for r in body["results"]] == ["applied", "applied", "applied"], body
    household = await Household.select(Household.area.code.as_alias("code"), Household.version).where(Household.id == uuid.UUID(hid)).first()
    assert household == {"code": OTHER_COMMUNITY, "version": 2}
    case = await Case.select(Case.area.code.as_alias("code")).where(Case.id == uuid.UUID(case_id)).first()
    assert case["code"] == OTHER_COMMUNITY


async def test_push_same_case_id_twice_in_one_batch_is_rejected_the_second_time(client, demo):
    await sign_in(client, "worker")
    hid, case_id = str(uuid.uuid4()), str(uuid.uuid4())
    body = await _push_new_household_and(
        client,
        new_client_id(),
        hid,
        {"name": "case.create", "args": {"id": case_id, "type": "dibao", "household_id": hid}},
        {"name": "case.create", "args": {"id": case_id, "type": "tekun", "household_id": hid}},
    )
    assert [r["status"] for r in body["results"]] == ["applied", "applied", "rejected"]
    assert body["results"][2]["field"] == "id"
    assert await Case.select(Case.type).where(Case.id == uuid.UUID(case_id)) == [{"type": "dibao"}]
    assert await Person.count().where(Person.household == uuid.UUID(hid)) == 1


# A mutation whose batched form stages a row the database refuses when the batch is written:
# the engine must apply the whole batch again with the plain handlers, each mutation once.
@register("test.sync.batched_refused")
async def _plain_after_refusal(ctx, args: dict) -> dict:
    return {"by": "plain handler"}


@register_batched("test.sync.batched_refused")
async def _stage_a_refused_row(ctx, args: dict, batch) -> dict:
    batch.stage(Household, {"id": uuid.UUID(args["household_id"]), "area": 1, "address": "重复", "version": 1})
    return {"by": "batched form"}


async def test_push_batch_whose_staged_rows_are_refused_is_applied_again_one_by_one(client, demo):
    await sign_in(client, "worker")
    cid, hid, case_id = new_client_id(), str(uuid.uuid4()), str(uuid.uuid4())
    body = await _push_new_household_and(
        client,
        cid,
        hid,
        {"name": "case.create", "args": {"id": case_id, "type": "dibao", "household_id": hid}},
        {"name": "test.sync.batched_refused", "args": {"household_id": hid}},
    )
    assert [r["status"] for r in body["results"]] == ["applied", "applied", "applied"], body
    assert body["results"][2]["result"] == {"by": "plain handler"} and body["last_mutation_id"] == 3
    assert await Household.count().where(Household.id == uuid.UUID(hid)) == 1
    assert await Person.count().where(Person.household == uuid.UUID(hid)) == 1
    assert await Case.count().where(Case.id == uuid.UUID(case_id)) == 1
    assert await SyncMutation.count().where(SyncMutation.client_id == cid) == 3


async def test_push_batched_creations_write_what_the_plain_handlers_write(client, demo):
    from tests.support.media import current_user

    await sign_in(client, "worker")
    ids = {way: (uuid.uuid4(), uuid.uuid4()) for way in ("batched", "plain")}

    def household(way: str) -> dict:
        args = household_args(ids[way][0], seed=7)
        args["contact_phone"] = "13800138000"
        args["members"].append({"name": "李某", "id_number": id_number(8), "relation": "spouse", "disability": "2", "serious_illness": True})
        return args

    def case(way: str) -> dict:
        return {"id": str(ids[way][1]), "type": "tekun", "household_id": str(ids[way][0]), "procedure": "emergency", "notes": "独居"}

    body = (await push(client, new_client_id(), [mutation(1, "household.upsert", household("batched")), mutation(2, "case.create", case("batched"))])).json()
    assert [r["status"] for r in body["results"]] == ["applied", "applied"]
    ctx = MutationContext(actor=await current_user(client), client_id="plain", mutation_id=1, created_at=None, received_at=now())
    async with write_transaction(Household._meta.db):
        assert await handler_for("household.upsert")(ctx, household("plain")) == {"id": str(ids["plain"][0]), "version": 1}
        assert await handler_for("case.create")(ctx, case("plain")) == {"id": str(ids["plain"][1]), "version": 1}

    async def written(way: str) -> tuple:
        household_id, case_id = ids[way]
        row = await Household.select().where(Household.id == household_id).first()
        members = await Person.select().where(Person.household == household_id).order_by(Person.position)
        assert [m["id"] for m in members] == [uuid.uuid5(household_id, m["id_number"]) for m in members]
        case_row = await Case.select().where(Case.id == case_id).first()
        assert case_row["household"] == household_id
        feed = await SyncChange.select(SyncChange.kind, SyncChange.area_path, SyncChange.op).where(SyncChange.record_id.is_in([str(household_id), str(case_id)]))
        leave_out = ("id", "household", "created_at", "updated_at", "opened_at")
        return (
            {k: v for k, v in row.items() if k not in leave_out},
            [{k: v for k, v in m.items() if k not in leave_out} for m in members],
            {k: v for k, v in case_row.items() if k not in leave_out},
            sorted(feed, key=lambda f: f["kind"]),
        )

    assert await written("batched") == await written("plain")
