"""One audit event per pull page that delivers records: who pulled how many of each kind, over which changes.

A pull hands the worker's caseload, ID numbers in full, to the device, so it is a read of
personal data like opening a case. It is audited per page, not per record (a first pull
delivers thousands), and never for a page that delivers nothing: devices pull every few
seconds while online, and an event per empty pull would flood the hash-chained audit log.
"""

from __future__ import annotations

from collections import Counter

from server.accounts.current import CurrentUser
from server.audit.services import record
from sync.pull import decode_cursor

ACTION = "sync.pull"
TARGET = "sync_client"


def _since(cursor: str | None, answer: dict) -> int:
    """The change number the page started after (0: from scratch)."""
    if not cursor or answer["reset"]:
        return 0
    return decode_cursor(cursor)[1]


async def audit_pull(user: CurrentUser, client_id: str | None, cursor: str | None, answer: dict) -> bool:
    """Write the page's event when it delivered records; answers whether it did."""
    delivered = Counter(change["kind"] for change in answer["changes"] if change["op"] == "upsert")
    if not delivered:
        return False
    detail = {
        "client_id": client_id or "",
        "records": dict(sorted(delivered.items())),
        "since_seq": _since(cursor, answer),
        "until_seq": decode_cursor(answer["cursor"])[1],
        "epoch": answer["epoch"],
        "has_more": answer["has_more"],
    }
    await record(user, ACTION, TARGET, client_id or "", detail)
    return True
