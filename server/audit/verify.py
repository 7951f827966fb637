"""Checking the audit chain: every event's hash, and every link to the event before it.

An edited event no longer matches its hash; a deleted or inserted event breaks the link
(`prev_hash`) of the next one. Deleting events at the very end leaves a shorter valid chain:
compare the head hash printed by `doorstep audit verify` with one noted earlier to catch that.
"""

from __future__ import annotations

import json

from server.audit.services import event_hash
from server.audit.tables import AuditEvent

BATCH = 2000


async def verify_chain(expect_head: str | None = None) -> dict:
    """{"ok", "events", "head", "problems": [{"id", "problem"}]} for the whole log."""
    problems: list[dict] = []
    previous, count, last_id = "", 0, None
    while True:
        query = AuditEvent.select().order_by(AuditEvent.id).limit(BATCH)
        if last_id is not None:
            query = query.where(AuditEvent.id > last_id)
        rows = await query
        if not rows:
            break
        for row in rows:
            count += 1
            detail = row["detail"]
            if isinstance(detail, str):
                detail = json.loads(detail or "{}")
            if row["prev_hash"] != previous:
                problems.append({"id": row["id"], "problem": "链接断开：前一事件的哈希不符（有事件被删除、插入或改动）"})
            expected = event_hash(row["prev_hash"], row["at"], row["actor"], row["action"], row["target_type"], row["target_id"], detail)
            if expected != row["hash"]:
                problems.append({"id": row["id"], "problem": "内容与哈希不符（该事件被改动）"})
            previous = row["hash"]
            last_id = row["id"]
    if expect_head is not None and expect_head != previous:
        problems.append({"id": last_id, "problem": "末尾哈希与预期不符（末尾事件可能被删除）"})
    return {"ok": not problems, "events": count, "head": previous, "problems": problems}
