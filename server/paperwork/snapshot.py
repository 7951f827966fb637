"""The case data a document shows, taken at the time of the decision, and its SHA-256.

The document's hash is the SHA-256 of its canonical content (kind, title, signers and the
snapshot as sorted JSON), so that it is the same on every machine and can be printed on the PDF
that carries it; a signature is bound to this hash.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime

from server.accounts.tables import User
from server.areas.tables import Area
from server.clock import LOCAL
from server.households.tables import Household, Person
from server.visits.tables import Visit

FORMAT = 1  # bumped when what a document shows changes


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


async def _user_name(user_id) -> str:
    if not user_id:
        return ""
    row = await User.select(User.display_name).where(User.id == user_id).first()
    return row["display_name"] if row else ""


async def _areas(path: str) -> dict:
    codes = [c for c in path.split("/") if c]
    rows = await Area.select(Area.code, Area.name, Area.level).where(Area.code.is_in(codes))
    return {r["level"]: r["name"] for r in rows}


async def _finances(case_id) -> dict:
    from server.finances.services import finances_data

    data, _ = await finances_data(case_id)
    return data


async def take(case: dict, decision: dict) -> dict:
    """Everything the documents of this case show, as plain JSON values."""
    household = await Household.select().where(Household.id == case["household"]).first()
    members = await Person.select().where(Person.household == case["household"]).order_by(Person.position)
    visit = await Visit.select().where(Visit.case == case["id"]).order_by(Visit.visited_at, ascending=False).first()
    finances = await _finances(case["id"])
    people = [
        {"id": str(m["id"]), "name": m["name"], "relation": m["relation"], "id_number": m["id_number"], "sex": m["sex"],
         "birth_date": _text(m["birth_date"])}
        for m in members
    ]
    applicant = next((m for m in people if m["relation"] == "self"), people[0] if people else None)
    areas = await _areas(case["area_path"])
    return {
        "format": FORMAT,
        "case": {
            "id": str(case["id"]), "type": case["type"], "notes": case.get("notes") or "",
            "opened_at": _text(case["opened_at"]), "worker_name": await _user_name(case["assigned_to"] or case["opened_by"]),
        },
        "area": {"district": areas.get("district", ""), "street": areas.get("street", ""), "community": areas.get("community", "")},
        "household": {"id": str(household["id"]), "address": household["address"], "contact_phone": household["contact_phone"],
                      "hukou_type": household["hukou_type"]},
        "members": people,
        "applicant": applicant,
        "visit": None if visit is None else {
            "mode": visit["mode"], "investigator_1": visit["investigator_1"], "investigator_2": visit["investigator_2"],
            "visited_at": _text(visit["visited_at"]), "members_situation": visit["members_situation"], "notes": visit["notes"],
        },
        "temporary": finances.get("temporary") or {},
        "tekun": {"supporters": (finances.get("tekun") or {}).get("supporters")},
        "decision": {
            "id": str(decision["id"]), "action": decision["action"], "to_status": decision["to_status"],
            "procedure": decision["procedure"], "decided_at": _text(decision["decided_at"]),
            "decided_by_name": await _user_name(decision.get("decided_by")),
        },
    }


def canonical(kind: str, title: str, signers: list[dict], snapshot: dict) -> bytes:
    content = {"kind": kind, "title": title, "signers": signers, "snapshot": snapshot}
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def document_hash(kind: str, title: str, signers: list[dict], snapshot: dict) -> str:
    return hashlib.sha256(canonical(kind, title, signers, snapshot)).hexdigest()
