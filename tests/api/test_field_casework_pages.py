"""The casework pages of the field app as a browser fetches them: signed in only, scoped lists
(recipients to extend, households, organisations), and the extension period from the standard."""

from __future__ import annotations

import re

import pytest

from server.accounts.tables import User
from server.cases.tables import Case
from server.referrals.tables import Organisation
from server.standards.tables import Standard
from tests.support.auth import sign_in

PAGES = ("/field/casework/new", "/field/casework/finances", "/field/casework/declaration", "/field/casework/referral")


async def approved_cases_of(username: str) -> list[str]:
    user = await User.select(User.id).where(User.username == username).first()
    rows = await Case.select(Case.id).where((Case.assigned_to == user["id"]) & (Case.status == "approved") & (Case.type != "referral"))
    return [str(r["id"]) for r in rows]


@pytest.mark.parametrize("path", PAGES)
async def test_casework_page_without_session_is_refused(client, demo, path):
    assert (await client.get(path)).status_code == 401


async def test_new_case_offers_only_recipients_in_scope_and_shows_one_type(client, demo):
    mine, others = await approved_cases_of("worker"), await approved_cases_of("worker2") + await approved_cases_of("worker3")
    assert mine and others
    await sign_in(client, "worker")
    page = (await client.get("/field/casework/new", params={"type": "extension"})).text
    offered = set(re.findall(r'<option value="([0-9a-f-]{36})" data-household=', page))
    assert set(mine) <= offered and not offered & set(others)
    # The extension's section is shown; the household, 特困 and 临时救助 sections are not.
    assert re.search(r'data-for="extension" data-field="recipient"\s*>', page)
    assert re.search(r'data-field="household"\s+hidden', page) and re.search(r'data-field="tekun"\s+hidden', page)
    assert 'value="extension" checked' in page


async def test_referral_page_lists_active_organisations_serving_the_area(client, demo):
    await sign_in(client, "worker")
    page = (await client.get("/field/casework/referral")).text
    active = await Organisation.select(Organisation.id, Organisation.name, Organisation.area.path.as_alias("path")).where(Organisation.active == True)  # noqa: E712
    serving = [o for o in active if "440100/440106/440106004/440106004001/".startswith(o["path"]) or o["path"].startswith("440100/440106/440106004/440106004001/")]
    assert serving
    for organisation in active:
        assert (f'<option value="{organisation["id"]}" data-name="{organisation["name"]}">' in page) == (organisation in serving)


async def test_declaration_page_states_the_extension_period_of_the_standard(client, demo):
    await Standard.update({Standard.extension_months: 6}).where(Standard.id > 0)
    await sign_in(client, "worker")
    page = (await client.get("/field/casework/declaration")).text
    assert "应急状态结束后6个月" in page and "示例" in page


async def test_casework_pages_speak_english_when_asked(client, demo):
    await sign_in(client, "worker")
    english = {"accept-language": "en-GB,en;q=0.9"}
    new = (await client.get("/field/casework/new", params={"type": "tekun"}, headers=english)).text
    assert "Save draft" in new and "grade 2" in new and "Six activities of daily living" in new
    finances = (await client.get("/field/casework/finances", headers=english)).text
    assert "Members&#39; monthly income" in finances or "Members' monthly income" in finances
    declaration = (await client.get("/field/casework/declaration", headers=english)).text
    assert "3 months after the emergency ends" in declaration


def chooser(page: str) -> str:
    start = page.index("<nav data-type-chooser")
    return page[start : page.index("</nav>", start)]


async def test_new_case_without_a_type_offers_the_five_types_first(client, demo):
    await sign_in(client, "worker")
    page = (await client.get("/field/casework/new")).text
    assert re.search(r"<nav data-type-chooser[^>]*\s>", page) and not re.search(r"<nav data-type-chooser[^>]*hidden", page)
    assert re.search(r'<form class="stack casework" data-casework="new"[^>]*hidden', page)  # the form waits for the type
    links = re.findall(r'href="(/field/casework/new\?[^"]*)"', chooser(page))
    assert links == [f"/field/casework/new?type={t}" for t in ("dibao", "tekun", "temporary", "extension", "referral")]
    assert "请先选择救助类型" in page and "家庭人均收入低于当地低保标准" in page
    typed = (await client.get("/field/casework/new", params={"type": "dibao"})).text
    assert re.search(r"<nav data-type-chooser[^>]*hidden", typed) and not re.search(r'data-casework="new"[^>]*hidden', typed)


async def test_new_case_from_a_household_starts_from_it_whatever_the_type(client, demo):
    """From the new-household form: the chooser's links carry the household (not to 延期, which
    extends a recipient's case), and the form has that household chosen."""
    from server.households.tables import Household

    await sign_in(client, "worker")
    household = str((await Household.select(Household.id).where(Household.area.code == "440106004001").first())["id"])
    page = (await client.get("/field/casework/new", params={"household": household})).text
    links = re.findall(r'href="(/field/casework/new\?[^"]*)"', chooser(page))
    assert links == [f"/field/casework/new?type={t}&amp;household={household}" for t in ("dibao", "tekun", "temporary")] + [
        "/field/casework/new?type=extension", f"/field/casework/new?type=referral&amp;household={household}"]
    assert re.search(r'<li data-choice="extension"\s+hidden', page)
    typed = (await client.get("/field/casework/new", params={"type": "tekun", "household": household})).text
    assert re.search(r'name="_household" value="existing"\s+checked', typed)
    assert f'<option value="{household}" selected>' in typed


async def test_type_chooser_speaks_english_when_asked(client, demo):
    await sign_in(client, "worker")
    page = (await client.get("/field/casework/new", headers={"accept-language": "en-GB,en;q=0.9"})).text
    assert "Choose the kind of assistance first:" in chooser(page)
    assert "Household income per person below the local minimum living standard" in chooser(page)
