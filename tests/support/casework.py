"""Helpers for the casework API tests: a device that pushes mutations, and cases to work on."""

from __future__ import annotations

import uuid

from server.households.idnumber import check_character
from tests.support.auth import sign_in

WORKER_COMMUNITY = "440106004001"


def id_number(n: int, birth: str = "19800101", district: str = "440106") -> str:
    first17 = f"{district}{birth}{n:03d}"
    return first17 + check_character(first17)


class Device:
    """One device install of a person: mutation ids increase by one per push.

    Several devices may share the test client: each signs its person in again before it acts."""

    def __init__(self, client, username: str) -> None:
        self.client = client
        self.username = username
        self.client_id = str(uuid.uuid4())
        self.next_id = 1

    async def _as_me(self) -> None:
        if getattr(self.client, "casework_user", None) != self.username:
            await sign_in(self.client, self.username)
            self.client.casework_user = self.username

    async def get(self, url: str, **kwargs):
        await self._as_me()
        return await self.client.get(url, **kwargs)

    async def post(self, url: str, **kwargs):
        await self._as_me()
        return await self.client.post(url, **kwargs)

    async def put(self, url: str, **kwargs):
        await self._as_me()
        return await self.client.put(url, **kwargs)

    async def push(self, name: str, args: dict, *, base_version: int | None = None, created_at: str = "2026-05-23T09:14:00+08:00") -> dict:
        """Push one mutation; answers its result entry (status, result or reason, field, ...)."""
        body = {"client_id": self.client_id, "mutations": [{"id": self.next_id, "name": name, "args": args, "base_version": base_version, "created_at": created_at}]}
        self.next_id += 1
        response = await self.post("/api/sync/push", json=body)
        assert response.status_code == 200, response.text
        return response.json()["results"][0]

    async def apply(self, name: str, args: dict, **kwargs) -> dict:
        """Push one mutation that must apply; answers its result."""
        answer = await self.push(name, args, **kwargs)
        assert answer["status"] == "applied", answer
        return answer["result"]

    async def new_case(self, case_type: str, *, members: list[dict] | None = None, area: str = WORKER_COMMUNITY, hukou_type: str = "local_urban", contact_phone: str = "13800138000") -> str:
        """A household (three members by default) and a draft case on it; answers the case id."""
        household_id, case_id = str(uuid.uuid4()), str(uuid.uuid4())
        if members is None:
            members = [
                {"name": "王伟", "id_number": id_number(1, "19800501"), "relation": "self"},
                {"name": "李芳", "id_number": id_number(2, "19820302"), "relation": "spouse"},
                {"name": "王明", "id_number": id_number(3, "20120909"), "relation": "child"},
            ]
        household = {"id": household_id, "area": area, "address": "石牌东路8号3栋201房", "contact_phone": contact_phone, "hukou_type": hukou_type, "members": members}
        await self.apply("household.upsert", household)
        await self.apply("case.create", {"id": case_id, "type": case_type, "household_id": household_id})
        return case_id


async def signed_device(client, username: str) -> Device:
    device = Device(client, username)
    await device._as_me()
    return device
