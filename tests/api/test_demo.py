"""The demo data: realistic, complete, valid."""

from collections import Counter

from server.accounts.roles import ROLES
from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.kinds import CASE_TYPES
from server.cases.tables import Case
from server.households.idnumber import id_number_error
from server.households.tables import Household, Person


async def test_demo_builds_the_area_tree(demo):
    levels = Counter(row["level"] for row in await Area.select(Area.level))
    assert levels == {"city": 1, "district": 2, "street": 4, "community": 8}
    for area in await Area.select(Area.path, Area.level, Area.parent.path.as_alias("parent_path"), Area.code):
        if area["level"] != "city":
            assert area["path"] == f"{area['parent_path']}{area['code']}/"


async def test_demo_has_one_user_of_every_role_at_the_right_level(demo):
    users = await User.select(User.role, User.area.level.as_alias("level"))
    assert {u["role"] for u in users} == set(ROLES)
    expected = {"grid_worker": "community", "street_supervisor": "street", "district_officer": "district", "admin": "city"}
    assert all(expected[u["role"]] == u["level"] for u in users)


async def test_demo_households_have_members_with_valid_id_numbers(demo):
    assert await Household.count() >= 40
    persons = await Person.select(Person.id_number, Person.relation, Person.household)
    assert all(id_number_error(p["id_number"]) is None for p in persons)
    heads = Counter(p["household"] for p in persons if p["relation"] == "self")
    assert len(heads) == await Household.count() and set(heads.values()) == {1}


async def test_demo_cases_cover_every_type_in_several_statuses(demo):
    cases = await Case.select(Case.type, Case.status, Case.procedure)
    assert {c["type"] for c in cases} == set(CASE_TYPES)
    statuses = {c["status"] for c in cases}
    assert len(statuses) >= 5
    assert {c["procedure"] for c in cases} == {"normal", "emergency"}


async def test_every_community_has_households_and_cases(demo):
    communities = await Area.select(Area.id).where(Area.level == "community")
    for community in communities:
        assert await Case.count().where(Case.area == community["id"]) >= 1
