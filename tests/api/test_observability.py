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
