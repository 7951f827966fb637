"""evidence.attach through the real push, and evidence records through the real pull."""

from __future__ import annotations

import uuid

from server.evidence.tables import Evidence
from tests.support.auth import sign_in
from tests.support.media import attach_args, case_in, clean_media  # noqa: F401
from tests.support.media import create, jpeg, mp4, send, upload


async def _push(client, client_id: str, mutations: list[dict]) -> dict:
    response = await client.post("/api/sync/push", json={"client_id": client_id, "mutations": mutations})
    assert response.status_code == 200, response.text
    return response.json()


async def _pulled_evidence(client) -> dict[str, dict]:
    found, cursor = {}, ""
    while True:
        page = (await client.get("/api/sync/pull", params={"cursor": cursor, "limit": 500})).json()
        found.update({c["id"]: c for c in page["changes"] if c["kind"] == "evidence"})
        cursor = page["cursor"]
        if not page["has_more"]:
            return found


async def test_push_attach_retries_until_the_upload_finishes_then_applies(client, demo):
    await sign_in(client, "worker")
    device = f"phone-{uuid.uuid4().hex[:8]}"
    data = mp4()
    url = (await create(client, data, filetype="video/mp4")).headers["location"]
    await send(client, url, 0, data[:1000])
    args = attach_args(await case_in("440106004001"), data, kind="video")
    mutation = {"id": 1, "name": "evidence.attach", "args": args, "created_at": "2022-04-12T09:20:00+08:00"}

    early = await _push(client, device, [mutation])
    assert early["results"][0]["status"] == "retry"
    assert early["last_mutation_id"] == 0  # not confirmed: the device keeps it and retries
    assert await Evidence.count() == 0

    await send(client, url, 1000, data[1000:])
    later = await _push(client, device, [mutation])
    assert later["results"][0]["status"] == "applied"
    assert later["results"][0]["result"]["evidence_id"] == args["id"]
    assert later["last_mutation_id"] == 1
    again = await _push(client, device, [mutation])
    assert again["results"][0]["status"] == "duplicate"
    assert await Evidence.count() == 1


async def test_push_attach_to_a_case_out_of_scope_is_rejected_and_the_queue_moves_on(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    await upload(client, data)
    outside = attach_args(await case_in("440111002001"), data)
    inside = attach_args(await case_in("440106004001"), data)
    answer = await _push(
        client,
        f"phone-{uuid.uuid4().hex[:8]}",
        [{"id": 1, "name": "evidence.attach", "args": outside}, {"id": 2, "name": "evidence.attach", "args": inside}],
    )
    assert [r["status"] for r in answer["results"]] == ["rejected", "applied"]
    assert "管辖范围" in answer["results"][0]["reason"]
    assert answer["last_mutation_id"] == 2


async def test_pull_brings_evidence_to_those_whose_scope_holds_the_case(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    await upload(client, data)
    args = attach_args(await case_in("440106004001"), data, location={"lat": 23.1, "lon": 113.3})
    await _push(client, f"phone-{uuid.uuid4().hex[:8]}", [{"id": 1, "name": "evidence.attach", "args": args}])

    mine = await _pulled_evidence(client)
    record = mine[args["id"]]["data"]
    assert record["case_id"] == args["case_id"]
    assert record["sha256"] == args["sha256"]
    assert record["kind"] == "photo"
    assert record["content_url"] == f"/api/evidence/{args['id']}/content"
    assert record["thumbnail_url"] == f"/api/evidence/{args['id']}/thumbnail"
    assert record["location"] == {"lat": 23.1, "lon": 113.3, "accuracy": None}
    await sign_in(client, "supervisor")
    assert args["id"] in await _pulled_evidence(client)
    await sign_in(client, "worker2")
    assert args["id"] not in await _pulled_evidence(client)
