"""A pull page that delivers records writes one audit event (who, which device, how many of each kind,
which changes); an empty pull writes none."""

from __future__ import annotations

from collections import Counter

from server.audit.tables import AuditEvent
from tests.api.test_sync_support import new_client_id
from tests.support.auth import sign_in


async def _pull_events() -> list[dict]:
    return await AuditEvent.select(AuditEvent.actor, AuditEvent.target_type, AuditEvent.target_id, AuditEvent.detail).where(
        AuditEvent.action == "sync.pull"
    ).order_by(AuditEvent.id).output(load_json=True)


async def test_each_page_that_delivers_records_is_audited_once_and_an_empty_pull_is_not(client, demo):
    user = await sign_in(client, "worker")
    cid = new_client_id()
    pages, cursor = [], None
    while True:
        params = {"limit": 7, "client_id": cid, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/api/sync/pull", params=params)).json()
        pages.append(body)
        cursor = body["cursor"]
        if not body["has_more"]:
            break
    events = await _pull_events()
    delivering = [page for page in pages if any(c["op"] == "upsert" for c in page["changes"])]
    assert len(pages) > 2 and len(events) == len(delivering)
    for event, page in zip(events, delivering):
        detail = event["detail"]
        assert (event["actor"], event["target_type"], event["target_id"]) == (user["id"], "sync_client", cid)
        assert detail["records"] == dict(Counter(c["kind"] for c in page["changes"] if c["op"] == "upsert"))
        assert detail["client_id"] == cid and detail["until_seq"] > detail["since_seq"]
    details = [event["detail"] for event in events]
    assert details[0]["since_seq"] == 0
    assert all(later["since_seq"] == earlier["until_seq"] for earlier, later in zip(details, details[1:]))

    empty = (await client.get("/api/sync/pull", params={"cursor": cursor, "client_id": cid})).json()
    assert empty["changes"] == []
    assert len(await _pull_events()) == len(events), "an empty incremental pull writes no audit event"
