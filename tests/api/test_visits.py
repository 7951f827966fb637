"""The visit.record mutation: a non-contact home visit on a case in the worker's scope."""

from __future__ import annotations

import uuid

import pytest

from server.accounts.sessions import create_session, load_session
from server.accounts.tables import User
from server.cases.tables import Case
from server.visits.mutations import record_visit
from server.visits.tables import Visit
from sync.registry import MutationContext, Rejected, handler_for
from tests.support.auth import sign_in


async def context_of(username: str) -> MutationContext:
    user = await User.select(User.id).where(User.username == username).first()
    actor = await load_session(await create_session(user["id"]))
    return MutationContext(actor=actor, client_id="device-1", mutation_id=1, created_at=None)


async def case_of(username: str) -> dict:
    user = await User.select(User.id).where(User.username == username).first()
    return await Case.select().where(Case.assigned_to == user["id"]).first()


def visit_args(case_id, **changes) -> dict:
    args = {
        "id": str(uuid.uuid4()),
        "case_id": str(case_id),
        "mode": "video_call",
        "investigators": ["王网格", "赵社工"],
        "visited_at": "2026-05-23T09:14:00+08:00",
        "members_situation": "申请人独居，行动不便",
        "notes": "通过视频查看了厨房和药品",
    }
    args.update(changes)
    return args


async def test_record_visit_is_registered_as_a_mutation():
    assert handler_for("visit.record") is record_visit


async def test_record_visit_stores_the_visit_of_a_case_in_scope(demo):
    case = await case_of("worker")
    args = visit_args(case["id"])
    result = await record_visit(await context_of("worker"), args)
    assert result == {"visit_id": args["id"], "case_id": str(case["id"]), "version": 1}
    visit = await Visit.select().where(Visit.id == args["id"]).first()
    assert visit["mode"] == "video_call"
    assert (visit["investigator_1"], visit["investigator_2"]) == ("王网格", "赵社工")
    assert visit["area"] == case["area"]
    assert visit["client_id"] == "device-1"
    assert visit["visited_at"].isoformat().startswith("2026-05-23T01:14:00")


async def test_record_visit_outside_scope_is_rejected(demo):
    other = await case_of("worker3")
    with pytest.raises(Rejected) as rejected:
        await record_visit(await context_of("worker"), visit_args(other["id"]))
    assert rejected.value.field == "case_id"
    assert await Visit.count() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"investigators": ["王网格"]}, "investigators"),
        ({"investigators": ["王网格", "王网格"]}, "investigators"),
        ({"mode": "in_person"}, "mode"),
        ({"visited_at": "yesterday"}, "visited_at"),
        ({"visited_at": "2026-05-23T09:14:00"}, "visited_at"),
        ({"id": "not-a-uuid"}, "id"),
    ],
)
async def test_record_visit_with_bad_arguments_is_rejected(demo, changes, field):
    case = await case_of("worker")
    with pytest.raises(Rejected) as rejected:
        await record_visit(await context_of("worker"), visit_args(case["id"], **changes))
    assert rejected.value.field == field
    assert await Visit.count() == 0


async def test_record_visit_twice_with_the_same_id_is_rejected(demo):
    case = await case_of("worker")
    args = visit_args(case["id"])
    ctx = await context_of("worker")
    await record_visit(ctx, args)
    with pytest.raises(Rejected):
        await record_visit(ctx, args)
    assert await Visit.count() == 1


async def test_push_visit_record_applies_once_and_reaches_the_pull(client, demo):
    await sign_in(client, "worker")
    case = await case_of("worker")
    args = visit_args(case["id"])
    body = {"client_id": str(uuid.uuid4()), "mutations": [{"id": 1, "name": "visit.record", "args": args, "base_version": None, "created_at": "2026-05-23T09:20:00+08:00"}]}
    first = (await client.post("/api/sync/push", json=body)).json()
    again = (await client.post("/api/sync/push", json=body)).json()
    assert [r["status"] for r in first["results"]] == ["applied"]
    assert [r["status"] for r in again["results"]] == ["duplicate"]
    assert await Visit.count() == 1
    pulled = (await client.get("/api/sync/pull", params={"client_id": body["client_id"], "limit": 1000})).json()
    visits = [c for c in pulled["changes"] if c["kind"] == "visit"]
    assert [v["id"] for v in visits] == [args["id"]]
    assert visits[0]["data"]["investigators"] == ["王网格", "赵社工"]


async def test_pull_of_another_community_has_no_visit(client, demo):
    case = await case_of("worker")
    await record_visit(await context_of("worker"), visit_args(case["id"]))
    await sign_in(client, "worker3")
    pulled = (await client.get("/api/sync/pull", params={"limit": 1000})).json()
    assert [c for c in pulled["changes"] if c["kind"] == "visit"] == []
