"""Helpers shared by the sync tests (no tests here): ID numbers, mutation bodies, push and pull."""

from __future__ import annotations

import uuid

from server.households.idnumber import check_character

WORKER_COMMUNITY = "440106004001"
OTHER_COMMUNITY = "440106004002"  # same street (石牌街道), worker2's community


def id_number(n: int, *, birth: str = "19800101", district: str = "440106") -> str:
    """A valid resident ID number, distinct for each n < 1000."""
    first17 = f"{district}{birth}{n:03d}"
    return first17 + check_character(first17)


def household_args(hid: str | uuid.UUID | None = None, *, area: str = WORKER_COMMUNITY, address: str = "天河北路1号", seed: int = 1) -> dict:
    """The minimal household.upsert arguments: id, area, address, members with the applicant."""
    return {
        "id": str(hid or uuid.uuid4()),
        "area": area,
        "address": address,
        "members": [{"name": "王某", "id_number": id_number(seed), "relation": "self"}],
    }


def mutation(mid: int, name: str, args: dict, *, base_version: int | None = None, created_at: str | None = "2026-05-23T09:14:00+08:00") -> dict:
    return {"id": mid, "name": name, "args": args, "base_version": base_version, "created_at": created_at}


async def push(client, client_id: str, mutations: list[dict]):
    return await client.post("/api/sync/push", json={"client_id": client_id, "mutations": mutations})


async def pull_all(client, cursor: str | None = None, *, client_id: str | None = None, limit: int = 500) -> tuple[dict, list[dict]]:
    """Follow `has_more` to the end; answers (last answer, every change in order)."""
    changes: list[dict] = []
    while True:
        params = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        if client_id:
            params["client_id"] = client_id
        response = await client.get("/api/sync/pull", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        changes.extend(body["changes"])
        cursor = body["cursor"]
        if not body["has_more"]:
            return body, changes


def new_client_id() -> str:
    return str(uuid.uuid4())
