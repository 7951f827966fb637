"""Operations: /metrics and the JSON access log."""

from __future__ import annotations

import json
import logging


async def test_metrics_expose_request_counts_grouped_by_route(client):
    await client.get("/healthz")
    await client.get("/lang/en?next=/")
    response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert "doorstep_requests_total" in text
    assert 'path="/lang/{code}"' in text, "paths must be route templates, never raw ids"
    assert 'path="/lang/en"' not in text
    assert "doorstep_sync_mutations_total" in text
    assert "doorstep_uploads_total" in text


async def test_every_request_writes_one_json_access_line_without_query_strings(client, caplog):
    logger = logging.getLogger("doorstep.access")
    logger.addHandler(caplog.handler)
    try:
        await client.get("/healthz?secret=110105194912310021")
    finally:
        logger.removeHandler(caplog.handler)
    (record,) = [r for r in caplog.records if r.name == "doorstep.access"]
    entry = record.entry
    assert entry["method"] == "GET" and entry["route"] == "/healthz" and entry["status"] == 200
    assert entry["ms"] >= 0 and entry["bytes"] > 0
    assert "110105" not in json.dumps(entry)


async def test_pushed_mutations_are_counted_by_status(client, demo):
    from tests.support.casework import signed_device

    def applied_count(text: str) -> float:
        line = next((l for l in text.splitlines() if l.startswith('doorstep_sync_mutations_total{status="applied"}')), None)
        return float(line.split()[-1]) if line else 0.0

    before = applied_count((await client.get("/metrics")).text)
    device = await signed_device(client, "worker")
    await device.new_case("dibao")  # two mutations applied
    rejected = await device.push("case.create", {"id": "not-a-uuid", "type": "dibao", "household_id": "x"})
    assert rejected["status"] == "rejected"
    text = (await client.get("/metrics")).text
    assert applied_count(text) == before + 2
    assert 'doorstep_sync_mutations_total{status="rejected"}' in text


def _metric(text: str, line_start: str) -> float:
    """The value of one sample (summed if the server lists it more than once); 0 when absent."""
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.startswith(line_start))


async def test_uploads_are_counted_with_their_bytes(client, demo):
    from tests.support.auth import sign_in
    from tests.support.media import clean_media, jpeg, upload  # noqa: F401

    before = (await client.get("/metrics")).text
    await sign_in(client, "worker")
    photo = jpeg()
    _, response = await upload(client, photo, filetype="image/jpeg")
    assert response.status_code == 204
    after = (await client.get("/metrics")).text
    completed = 'doorstep_uploads_total{outcome="completed"}'
    assert _metric(after, completed) == _metric(before, completed) + 1
    assert _metric(after, "doorstep_upload_bytes_total ") == _metric(before, "doorstep_upload_bytes_total ") + len(photo)


async def test_metrics_add_up_every_server_process(demo):
    """`doorstep serve --workers 2`: /metrics, whichever process answers it, counts the pushes
    that every process applied."""
    import httpx

    from server.accounts.sessions import COOKIE_NAME, create_session
    from server.accounts.tables import User
    from server.observability.metrics import multiprocess_folder
    from tests.api.test_sync_support import household_args, mutation
    from tests.support.serve import Server

    user = await User.select(User.id).where(User.username == "worker").first()
    token = await create_session(user["id"])
    server = Server(workers=2)
    await server.start()
    try:
        pushes = 16
        for n in range(1, pushes + 1):  # a new connection each time, so both processes take some
            async with httpx.AsyncClient(base_url=server.url, cookies={COOKIE_NAME: token}) as http:
                await http.get("/")
                body = {"client_id": f"metrics-device-{n:02d}", "mutations": [mutation(1, "household.upsert", household_args(seed=n))]}
                answer = await http.post("/api/sync/push", json=body, headers={"x-csrftoken": http.cookies["csrftoken"]})
                assert answer.json()["results"][0]["status"] == "applied"
        counting = {path.name for path in multiprocess_folder(server.port).glob("counter_*.db")}
        async with httpx.AsyncClient(base_url=server.url) as http:
            text = (await http.get("/metrics")).text
    finally:
        server.stop()
    assert len(counting) >= 2, f"one process answered every push ({counting}): nothing to add up"
    assert _metric(text, 'doorstep_sync_mutations_total{status="applied"}') == pushes


async def test_a_mutation_sent_twice_is_counted_as_a_duplicate(client, demo):
    from tests.api.test_sync_support import household_args, mutation
    from tests.support.auth import sign_in

    await sign_in(client, "worker")
    body = {"client_id": "metrics-duplicate-device", "mutations": [mutation(1, "household.upsert", household_args(seed=5))]}
    before = (await client.get("/metrics")).text
    for expected in ("applied", "duplicate"):
        answer = await client.post("/api/sync/push", json=body)
        assert answer.json()["results"][0]["status"] == expected
    after = (await client.get("/metrics")).text
    for status in ("applied", "duplicate"):
        sample = f'doorstep_sync_mutations_total{{status="{status}"}}'
        assert _metric(after, sample) == _metric(before, sample) + 1, status
