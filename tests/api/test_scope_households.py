"""Jurisdiction scope on a real endpoint: GET /api/households/{id} answers 404 outside one's area."""

from __future__ import annotations

import uuid

import pytest

from server.areas.tables import Area
from server.audit.tables import AuditEvent
from server.households.tables import Household
from tests.support.auth import sign_in

COMMUNITIES = [
    "440106004001", "440106004002", "440106012001", "440106012002",  # 天河区: 石牌街道, 棠下街道
    "440111002001", "440111002002", "440111019001", "440111019002",  # 白云区: 三元里街道, 京溪街道
]
# Which communities' households each demo user may see: the rest must answer 404.
VISIBLE = {
    "worker": {"440106004001"},
    "worker2": {"440106004002"},
    "worker3": {"440111002001"},
    "supervisor": {"440106004001", "440106004002"},
    "district": {c for c in COMMUNITIES if c.startswith("440106")},
    "admin": set(COMMUNITIES),
}


async def _household_in(code: str) -> str:
    area = await Area.select(Area.id).where(Area.code == code).first()
    row = await Household.select(Household.id).where(Household.area == area["id"]).first()
    return str(row["id"])


@pytest.mark.parametrize("username", list(VISIBLE))
async def test_household_visibility_follows_the_users_area(client, demo, username):
    await sign_in(client, username)
    seen = {}
    for community in COMMUNITIES:
        response = await client.get(f"/api/households/{await _household_in(community)}")
        seen[community] = response.status_code
        if response.status_code == 200:
            assert response.json()["area"]["code"] == community
        else:
            assert response.json() == {"error": "not_found", "reason": "找不到该记录，或您无权查看。"}
    assert {c for c, status in seen.items() if status == 200} == VISIBLE[username]
    assert {status for c, status in seen.items() if c not in VISIBLE[username]} <= {404}


async def test_out_of_scope_and_missing_households_answer_the_same(client, demo):
    await sign_in(client, "worker")
    other = await client.get(f"/api/households/{await _household_in('440106004002')}")
    missing = await client.get(f"/api/households/{uuid.uuid4()}")
    garbage = await client.get("/api/households/not-a-uuid")
    assert other.status_code == missing.status_code == garbage.status_code == 404
    assert other.json() == missing.json() == garbage.json()


async def test_household_shows_members_with_masked_id_numbers_and_audits_the_view(client, demo):
    await sign_in(client, "worker")
    household_id = await _household_in("440106004001")
    body = (await client.get(f"/api/households/{household_id}")).json()
    assert body["members"], "a demo household has members"
    for member in body["members"]:
        number = member["id_number"]
        assert len(number) == 18 and number[6:14] == "********"
    event = await AuditEvent.select().where(AuditEvent.action == "household.view").first()
    assert event["target_id"] == household_id


async def test_household_needs_a_signed_in_user(client, demo):
    response = await client.get(f"/api/households/{await _household_in('440106004001')}")
    assert response.status_code == 401
