"""Evidence records in the pull feed: devices learn of evidence attached to cases they see
(by other devices too), with the URLs to fetch the content and the thumbnail."""

from __future__ import annotations

from uuid import UUID

from server.accounts.current import CurrentUser
from server.areas.scope import in_scope
from server.evidence.services import COLUMNS
from server.evidence.tables import Evidence
from sync.feed import touch
from sync.registry import register_kind

KIND = "evidence"


def as_record(row: dict) -> dict:
    record = {
        "id": str(row["id"]),
        "case_id": str(row["case"]),
        "sha256": row["sha256"],
        "kind": row["kind"],
        "mime": row["mime"],
        "size": row["size"],
        "captured_at": row["captured_at"].isoformat(),
        "device": row["device"],
        "attached_at": row["attached_at"].isoformat(),
        "note": row["note"],
        "version": row["version"],
        "content_url": f"/api/evidence/{row['id']}/content",
        "thumbnail_url": f"/api/evidence/{row['id']}/thumbnail" if row["kind"] == "photo" else None,
        "location": None,
    }
    if row["latitude"] is not None:
        record["location"] = {"lat": row["latitude"], "lon": row["longitude"], "accuracy": row["accuracy"]}
    return record


async def load(actor: CurrentUser, ids: list[str]) -> dict[str, dict]:
    """The pull's loader: the evidence among `ids` whose case is in the actor's scope."""
    keys = []
    for value in ids:
        try:
            keys.append(UUID(value))
        except ValueError:
            continue
    if not keys:
        return {}
    rows = await Evidence.select(*COLUMNS).where(Evidence.id.is_in(keys) & in_scope(actor, Evidence.case.area))
    return {str(row["id"]): as_record(row) for row in rows}


async def list_all() -> list[tuple[str, str]]:
    rows = await Evidence.select(Evidence.id, Evidence.case.area.path.as_alias("area_path"))
    return [(str(row["id"]), row["area_path"]) for row in rows]


async def touch_evidence(evidence_id: str, area_path: str) -> None:
    await touch(KIND, evidence_id, area_path, new=True)


register_kind(KIND, load=load, list_all=list_all)
