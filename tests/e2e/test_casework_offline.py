"""Casework on the phone, offline, in Chromium at 360×640: a worker opens a case of each type
with its household and finances, attaches evidence, records an extension's self-declaration,
refers someone, and submits; mistakes are shown in Chinese next to their field, and an
incomplete draft cannot be submitted. Back online everything syncs, the server holds exactly
what was entered, eligibility is computed with exact amounts, and the supervisor sees it."""

from __future__ import annotations

import json
import re

import pytest

from server.cases.tables import Case
from server.declarations.tables import Declaration
from server.finances.tables import CaseFinances
from server.households.idnumber import check_character
from server.households.tables import Household, Person
from server.referrals.tables import Organisation, Referral
from tests.e2e.conftest import run
from tests.e2e.phone import capture_photo, photo_file, poll, synced_phone, wait_synced
from tests.e2e.phone import field_ready as page_ready
from tests.e2e.test_review import signed_in_context

pytestmark = pytest.mark.e2e

CASE_URL = re.compile(r".*/field/cases/[0-9a-f-]{36}$")
CHINESE = re.compile(r"[\u3400-\u9fff]")
CASEWORK_PAGES = ("/field/casework/new", "/field/casework/finances", "/field/casework/declaration", "/field/casework/referral")


def id_number(first17: str) -> str:
    return first17 + check_character(first17)


WANG_WEI = id_number("44010619800101001")
LI_NA = id_number("44010619820202002")
WANG_MING = id_number("44010620100303003")
ZHAO = id_number("44010619500404004")  # 76 years old: no labour capacity for 特困
MIGRANT = id_number("51010219900505005")  # a Sichuan number: a migrant worker in Guangzhou
LIU = id_number("44010619850606006")


def field_ready(page) -> None:
    """The page's script has filled and wired its casework form or panel (an hx-boost swap keeps
    the previous page's marks until the new body is enhanced, so the form's own mark is awaited)."""
    page_ready(page)
    page.wait_for_selector("form[data-casework][data-ready], [data-casework-panel][data-ready]", state="attached")


def assert_fits_a_phone(page) -> None:
    """At 360 px nothing scrolls sideways, and every control of the casework form or panel is a
    touch target at least 44 px high (radio buttons and checkboxes through their labels)."""
    small = page.evaluate("""() => [...document.querySelectorAll(
        ':is(form[data-casework], [data-casework-panel]) :is(input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, textarea, button, a.button, label.choice)')]
        .filter((el) => el.getClientRects().length && !el.closest('[hidden]') && !el.classList.contains('visually-hidden'))
        .map((el) => [el.name || el.textContent.trim().slice(0, 20), Math.round(el.getBoundingClientRect().height)])
        .filter(([, height]) => height < 44)""")
    assert small == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def assert_fits_a_phone_chooser(page) -> None:
    """The type chooser at 360 px: five choices, each a touch target at least 44 px high."""
    heights = page.evaluate("() => [...document.querySelectorAll('[data-type-chooser] a')].map((a) => Math.round(a.getBoundingClientRect().height))")
    assert len(heights) == 5 and min(heights) >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def outbox(page) -> list[list]:
    return page.evaluate("""async () => { const { all } = await import('/static/js/db.js');
        return (await all('outbox')).map((e) => [e.name, e.state, e.args.case_id || e.args.id]); }""")


def error_beside(page, field_selector: str) -> str:
    """The Chinese error placed right after a field (or after its choice label)."""
    return page.locator(f"{field_selector} + p.field-error, label.choice:has({field_selector}) + p.field-error").first.inner_text()


def open_new(page, base: str, case_type: str) -> None:
    page.goto(f"{base}/field/casework/new?type={case_type}")
    field_ready(page)
    assert page.locator(f"[name=type][value={case_type}]").is_checked()


def save_draft(page) -> str:
    page.click("button:has-text('保存草稿')")
    page.wait_for_url(CASE_URL)
    field_ready(page)
    return page.url.rsplit("/", 1)[1]


def fill_member(page, index: int, name: str, number: str, relation: str | None = None, labour: str = "full") -> None:
    page.fill(f"#n-m{index}-name", name)
    page.fill(f"#n-m{index}-id", number)
    if relation:
        page.select_option(f"#n-m{index}-rel", relation)
    page.select_option(f"#n-m{index}-labour", labour)


def fill_referral(page, phone: str) -> None:
    """The first organisation offered, a reason, the contact and their phone."""
    page.select_option("#r-org", index=1)
    page.fill("#r-reason", "疫情失业，不符合低保条件，需就业帮扶")
    page.fill("#r-contact", "刘洋")
    page.fill("#r-phone", phone)


def open_form(page, base: str, form: str, case_id: str) -> None:
    page.goto(f"{base}/field/casework/{form}?case={case_id}")
    field_ready(page)


def add_row(page, section: str, **values) -> None:
    fieldset = page.locator(f"[data-rows={section}]")
    fieldset.locator("[data-add]").click()
    row = fieldset.locator("li.row").last
    for key, value in values.items():
        field = row.locator(f"[name$='.{key}']")
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def submit_case(page) -> None:
    page.click("[data-submit-case]")
    page.locator("[data-submit-state]", has_text="已提交，待同步").wait_for()


def save_finances_and_submit(page, case_id: str) -> None:
    """Save the finances form; back on the case page nothing is missing, and it is submitted."""
    page.click("button:has-text('保存家庭经济状况')")
    page.wait_for_url(f"**/field/cases/{case_id}")
    field_ready(page)
    assert page.locator("[data-gaps]").is_hidden()
    submit_case(page)


def dibao_offline(page, base: str) -> str:
    """A 低保 case: validation next to the fields, a draft that cannot be submitted, finances."""
    page.click("a:has-text('新建案件')")
    page.wait_for_url("**/field/casework/new")
    field_ready(page)
    assert page.locator("form[data-casework]").is_hidden()  # the type comes first
    assert_fits_a_phone_chooser(page)
    page.click("[data-type-chooser] a:has-text('低保')")
    page.wait_for_url("**/field/casework/new?type=dibao")
    page.wait_for_selector("form[data-casework][data-ready]:visible")
    # Only what 低保 needs: no 特困 checklist, no temporary assistance, no referral, no recipient.
    for hidden in ("[data-field=tekun]", "[data-field=temporary]", "[data-field=referral]", "[data-field=recipient]"):
        assert page.locator(hidden).is_hidden()
    assert_fits_a_phone(page)
    page.fill("#n-address", "石牌东路 8 号 2 栋 302 房")
    page.fill("#n-phone", "12345")
    fill_member(page, 0, "王伟", WANG_WEI[:-1] + ("0" if WANG_WEI[-1] != "0" else "1"))
    page.click("button:has-text('保存草稿')")
    assert error_beside(page, "#n-m0-id") == "身份证号校验码不正确"
    assert error_beside(page, "#n-phone").startswith("电话号码格式不正确")
    assert "请更正以下 2 处" in page.locator("[data-form-errors]").inner_text()
    assert page.url.endswith("/field/casework/new?type=dibao")  # nothing saved
    page.fill("#n-phone", "020-3800 1234")
    fill_member(page, 0, "王伟", WANG_WEI)
    fill_member(page, 1, "李娜", LI_NA, "spouse")
    fill_member(page, 2, "王小明", WANG_MING, "child")
    case_id = save_draft(page)
    gaps = page.locator("[data-gaps]")
    gaps.wait_for()
    assert_fits_a_phone(page)
    assert "请录入家庭成员收入" in gaps.inner_text() and "请录入家庭财产" in gaps.inner_text()
    page.click("[data-submit-case]")
    page.locator("[data-submit-state]", has_text="请先补齐").wait_for()
    assert not [e for e in outbox(page) if e[0] == "case.submit"]

    page.click("a:has-text('家庭经济状况')")
    page.wait_for_url("**/field/casework/finances?case=*")
    field_ready(page)
    assert "请录入家庭成员收入" in page.locator("[data-rows=incomes] .field-error").inner_text()
    add_row(page, "incomes", member="王伟", kind="wage", amount="1800.555")
    add_row(page, "incomes", member="李娜", kind="youfu", amount="300")
    add_row(page, "assets", kind="deposit", value="5000.00")
    assert_fits_a_phone(page)
    page.click("button:has-text('保存家庭经济状况')")
    assert error_beside(page, "[name='incomes.0.amount']") == "金额最多保留两位小数（到分）"
    page.fill("[name='incomes.0.amount']", "1800.00")
    save_finances_and_submit(page, case_id)
    return case_id


def tekun_offline(page, base: str) -> str:
    open_new(page, base, "tekun")
    assert page.locator("[data-field=tekun]").is_visible()
    page.fill("#n-address", "棠下村 21 号")
    page.fill("#n-phone", "13800138001")
    fill_member(page, 0, "赵秀兰", ZHAO, labour="none")
    page.check("[name='tekun.supporters'][value=none]")
    for activity, can in (("eating", True), ("dressing", False), ("bed_transfer", True), ("toileting", True), ("indoor_walking", True), ("bathing", False)):
        page.check(f"[name='tekun.daily_activities.{activity}'][value={'true' if can else 'false'}]")
    assert page.locator("[data-care-tier]").inner_text() == "部分丧失生活自理能力（2 项不能独立完成）"
    assert_fits_a_phone(page)
    case_id = save_draft(page)
    open_form(page, base, "finances", case_id)
    # Editing later loads what the device holds: the checklist saved with the case.
    assert page.locator("[name='tekun.daily_activities.dressing'][value=false]").is_checked()
    assert page.locator("[name='tekun.supporters'][value=none]").is_checked()
    add_row(page, "incomes", member="赵秀兰", kind="elderly_allowance", amount="100")
    page.locator("[data-rows=assets] [data-none]").check()
    save_finances_and_submit(page, case_id)
    return case_id


def temporary_offline(page, base: str) -> str:
    open_new(page, base, "temporary")
    page.fill("#n-address", "三元里大道 5 号工地宿舍")
    page.fill("#n-phone", "13900139002")
    page.select_option("#n-hukou", "non_local")
    fill_member(page, 0, "陈建华", MIGRANT)
    page.check("[name='temporary.kind'][value=expense]")
    page.check("[name='temporary.severity'][value=serious]")
    page.fill("#t-reason", "封控期间停工，无收入，需支付房租")
    page.fill("#t-expense", "2600.5.0")
    page.click("button:has-text('保存草稿')")
    assert error_beside(page, "#t-expense") == "金额格式不正确，应为数字，最多两位小数"
    page.fill("#t-expense", "2600.50")
    case_id = save_draft(page)
    assert page.locator("[data-gaps]").is_hidden()
    submit_case(page)
    return case_id


def extension_offline(page, base: str, tmp_path) -> tuple[str, str]:
    open_new(page, base, "extension")
    assert page.locator("[data-field=household]").is_hidden()
    page.click("button:has-text('保存草稿')")
    assert error_beside(page, "#n-recipient") == "请选择现有救助对象"
    page.select_option("#n-recipient", index=1)
    recipient = page.locator("#n-recipient").input_value()
    case_id = save_draft(page)
    assert "请记录申报人的自我申报承诺及证据" in page.locator("[data-gaps]").inner_text()
    page.click("a:has-text('自我申报')")
    page.wait_for_url("**/field/casework/declaration?case=*")
    field_ready(page)
    assert "应急状态结束后3个月" in page.locator("[data-extension-period]").inner_text()  # the standard's setting
    page.click("button:has-text('保存自我申报')")
    assert error_beside(page, "[name=agreed]") == "申报人须同意承诺内容后才能记录"
    assert_fits_a_phone(page)
    assert "请附上申报人同意的证据" in page.locator("[data-field=evidence] .field-error").inner_text()
    capture_photo(page, photo_file(tmp_path / "promise.png", 800, 600))  # a photo of the handwritten promise
    choice = page.locator("[data-evidence-choices] input[type=radio]")
    choice.wait_for()
    assert choice.is_checked() and choice.get_attribute("data-kind") == "photo"
    page.check("[name=agreed]")
    page.click("button:has-text('保存自我申报')")
    page.wait_for_url(f"**/field/cases/{case_id}")
    field_ready(page)
    assert page.locator("[data-gaps]").is_hidden()
    submit_case(page)
    return case_id, recipient


def referral_offline(page, base: str) -> str:
    open_new(page, base, "referral")
    page.fill("#n-address", "京溪路 3 号")
    page.fill("#n-phone", "13700137003")
    fill_member(page, 0, "刘洋", LIU)
    fill_referral(page, "1370013700")
    page.click("button:has-text('保存草稿')")
    assert error_beside(page, "#r-phone").startswith("电话号码格式不正确")
    page.fill("#r-phone", "13700137003")
    case_id = save_draft(page)
    submit_case(page)
    return case_id


def supervisor_context(browser, base: str):
    return signed_in_context(browser, base, "supervisor")


def test_worker_opens_every_case_type_offline_and_it_reaches_the_supervisor(live_server, playwright_instance, browser, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        poll(page, f"""async () => {{ const c = await caches.open('doorstep-pages');
            return (await Promise.all({list(CASEWORK_PAGES)}.map((u) => c.match(u)))).every(Boolean); }}""")

        context.set_offline(True)
        dibao = dibao_offline(page, live_server)
        page.goto(f"{live_server}/field/capture?case={dibao}")  # evidence for the 低保 case
        page_ready(page)
        capture_photo(page, photo_file(tmp_path / "kitchen.png", 1200, 900))
        tekun = tekun_offline(page, live_server)
        temporary = temporary_offline(page, live_server)
        extension, recipient = extension_offline(page, live_server, tmp_path)
        referral = referral_offline(page, live_server)
        ids = [dibao, tekun, temporary, extension, referral]
        assert run(Case.count().where(Case.id.is_in(ids))) == 0  # nothing has left the phone

        context.set_offline(False)
        wait_synced(page)
        cases = {str(c["id"]): c for c in run(Case.select().where(Case.id.is_in(ids)))}
        assert {cases[i]["type"]: cases[i]["status"] for i in ids} == {
            "dibao": "submitted", "tekun": "submitted", "temporary": "submitted", "extension": "submitted", "referral": "submitted"}
        assert not [e for e in outbox(page) if e[1] in ("rejected", "conflict")]

        finances = run(CaseFinances.select(CaseFinances.data, CaseFinances.version).where(CaseFinances.case == dibao).first())
        assert finances["version"] == 1
        assert json.loads(finances["data"])["incomes"] == [
            {"member": "王伟", "kind": "wage", "amount": "1800.00", "note": ""}, {"member": "李娜", "kind": "youfu", "amount": "300.00", "note": ""}]
        dibao_household = run(Household.select().where(Household.id == cases[dibao]["household"]).first())
        assert dibao_household["contact_phone"] == "02038001234"
        assert run(Person.count().where(Person.household == cases[dibao]["household"])) == 3
        migrant = run(Household.select(Household.hukou_type).where(Household.id == cases[temporary]["household"]).first())
        assert migrant["hukou_type"] == "non_local"
        recipient_household = run(Case.select(Case.household).where(Case.id == recipient).first())["household"]
        assert cases[extension]["household"] == recipient_household

        declaration = run(Declaration.select().where(Declaration.case == extension).first())
        assert declaration["agreed"] and declaration["evidence_kind"] == "photo" and len(declaration["evidence_ref"]) == 64
        referral_row = run(Referral.select().where(Referral.case == referral).first())
        assert referral_row["status"] == "referred" and referral_row["contact_phone"] == "13700137003"

        supervisor = supervisor_context(browser, live_server)
        try:
            api = supervisor.request
            amounts = {name: api.get(f"{live_server}/api/cases/{cid}/eligibility").json() for name, cid in (("dibao", dibao), ("tekun", tekun), ("temporary", temporary))}
            assert (amounts["dibao"]["outcome"], amounts["dibao"]["per_capita_income"], amounts["dibao"]["amount"]) == ("eligible", "600.00", "1560.00")
            assert (amounts["tekun"]["outcome"], amounts["tekun"]["amount"]) == ("eligible", "1792.00")
            assert amounts["temporary"]["amount"] == "2240.00"
            review = supervisor.new_page()
            review.goto(f"{live_server}/review/cases/{dibao}")
            computation = review.locator("#finances")
            computation.wait_for()
            outcome = computation.locator("[data-outcome]")
            assert (outcome.get_attribute("data-outcome"), outcome.inner_text()) == ("eligible", "符合条件")
            text = computation.inner_text()
            assert "月救助金额 1560.00 元" in text and "工资性收入\t1,800.00\t计入" in text and "600.00" in text
            assert "规则版本: rules:" in text and "（示例）" in text
        finally:
            supervisor.close()
        follow_referral(page, live_server, referral, referral_row["id"])
        edit_finances_again(page, browser, live_server, dibao)


def edit_finances_again(page, browser, base: str, case_id: str) -> None:
    """Later, offline again: the form loads the synced finances and the save names their version."""
    page.goto(f"{base}/field")  # online: the pull brought the finances record
    page.context.set_offline(True)
    open_form(page, base, "finances", case_id)
    assert page.locator("[name='incomes.0.amount']").input_value() == "1800.00"
    assert page.locator("[name='incomes.1.kind']").input_value() == "youfu"
    assert page.locator("[name='assets.0.value']").input_value() == "5000.00"
    page.fill("[name='incomes.0.amount']", "2000")
    page.click("button:has-text('保存家庭经济状况')")
    page.wait_for_url(f"**/field/cases/{case_id}")
    sent = page.evaluate("""async () => { const { all } = await import('/static/js/db.js');
        return (await all('outbox')).filter((e) => e.name === 'finances.set' && e.state === 'pending').map((e) => [e.base_version, e.args.incomes]); }""")
    assert sent == [[1, [{"member": "王伟", "kind": "wage", "amount": "2000", "note": ""}, {"member": "李娜", "kind": "youfu", "amount": "300.00", "note": ""}]]]
    # Meanwhile the supervisor corrects the assets on the web, from the same version 1.
    assert supervisor_edits(browser, base, case_id, {"assets": [{"kind": "deposit", "value": "6000.00"}], "base_version": 1})["version"] == 2
    page.context.set_offline(False)
    wait_synced(page)
    # Field-level merge: the phone's incomes and the supervisor's assets both stand, no conflict.
    row = run(CaseFinances.select(CaseFinances.data, CaseFinances.version).where(CaseFinances.case == case_id).first())
    data = json.loads(row["data"])
    assert row["version"] == 3 and data["incomes"][0]["amount"] == "2000.00" and data["assets"][0]["value"] == "6000.00"
    assert not [e for e in outbox(page) if e[1] == "conflict"]
    # 2000 ÷ 3 = 666.67 per person (to the fen, half up); (1120 − 666.67) × 3 = 1359.99
    eligibility = page.context.request.get(f"{base}/api/cases/{case_id}/eligibility").json()
    assert (eligibility["finances_version"], eligibility["per_capita_income"], eligibility["amount"]) == (3, "666.67", "1359.99")

    # Both change the incomes from version 3: the server keeps the supervisor's, the phone says so
    # beside the section and shows the server's value; saving again (from version 4) applies.
    page.context.set_offline(True)
    open_form(page, base, "finances", case_id)
    page.fill("[name='incomes.0.amount']", "2100.00")
    page.click("button:has-text('保存家庭经济状况')")
    page.wait_for_url(f"**/field/cases/{case_id}")
    supervisor_edits(browser, base, case_id, {"incomes": [{"member": "王伟", "kind": "wage", "amount": "1900.00"}], "base_version": 3})
    page.context.set_offline(False)
    wait_synced(page)
    assert [e[1] for e in outbox(page) if e[0] == "finances.set"][-1] == "conflict"
    open_form(page, base, "finances", case_id)
    assert page.locator("[data-rows=incomes] > .field-error").inner_text().startswith("此部分与服务器上的修改冲突")
    assert page.locator("[name='incomes.0.amount']").input_value() == "1900.00"
    page.fill("[name='incomes.0.amount']", "2100.00")
    page.click("button:has-text('保存家庭经济状况')")
    page.wait_for_url(f"**/field/cases/{case_id}")
    wait_synced(page)
    row = run(CaseFinances.select(CaseFinances.data, CaseFinances.version).where(CaseFinances.case == case_id).first())
    assert row["version"] == 5 and json.loads(row["data"])["incomes"][0]["amount"] == "2100.00"


def supervisor_edits(browser, base: str, case_id: str, body: dict) -> dict:
    """The supervisor edits a case's finances on the web (PUT, with the version they saw)."""
    supervisor = supervisor_context(browser, base)
    try:
        supervisor.request.get(f"{base}/review/")
        csrf = next(c["value"] for c in supervisor.cookies() if c["name"] == "csrftoken")
        edited = supervisor.request.put(f"{base}/api/cases/{case_id}/finances", headers={"x-csrftoken": csrf}, data=body)
        assert edited.ok, edited.text()
        return edited.json()
    finally:
        supervisor.close()


def follow_referral(page, base: str, case_id: str, referral_id) -> None:
    """Online: the referral is followed to its end; a step the server refuses shows why beside it."""
    open_form(page, base, "referral", case_id)
    item = page.locator(f"[data-referral='{referral_id}']")
    item.wait_for()
    assert "已转介" in item.locator("[data-slot=status]").inner_text()
    item.locator("[name=status]").select_option("received")
    item.locator("[name=on]").fill("2020-01-01")  # before the referral: only the server knows its date
    item.locator("button:has-text('更新状态')").click()
    poll(page, f"""async () => {{ const {{ all }} = await import('/static/js/db.js');
        return (await all('outbox')).some((e) => e.name === 'referral.update' && e.state === 'rejected'); }}""")
    page.reload()
    field_ready(page)
    item = page.locator(f"[data-referral='{referral_id}']")
    assert error_beside(item, "[name=on]") == "服务器退回：日期不能早于上一步的日期"
    for step, label in (("received", "已接收"), ("done", "已办结")):
        item = page.locator(f"[data-referral='{referral_id}']")
        item.locator("[name=status]").select_option(step)
        item.locator("button:has-text('更新状态')").click()
        # The step is queued a moment after the click (the refused one is set aside first): until
        # then nothing is pending, wait_synced would return at once and the reload cut the saving short.
        poll(page, f"""async () => {{ const {{ all }} = await import('/static/js/db.js');
            return (await all('outbox')).some((e) => e.name === 'referral.update' && e.args.status === '{step}' && ['pending', 'done'].includes(e.state)); }}""")
        wait_synced(page)
        page.reload()
        field_ready(page)
        # The step came back from the server (not the device's pending copy) before the next one.
        page.locator(f"[data-referral='{referral_id}'] [data-slot=status]", has_text=re.compile(f"^{label}")).wait_for()
    assert run(Referral.select(Referral.status).where(Referral.id == referral_id).first())["status"] == "done"
    assert "已办结" in page.locator(f"[data-referral='{referral_id}'] [data-slot=status]").inner_text()


ID_NUMBERS = [WANG_WEI, WANG_WEI[:-1] + ("0" if WANG_WEI[-1] != "0" else "1"), "440106198002300010", "4401061980010100", "", f" {LI_NA} ",
              "44010619900101003X", "44010619900101003x", "A4010619800101001X"]
PHONES = ["13800138000", "138 0013 8000", "+8613800138000", "12800138000", "020-38001234", "0203800123", "", "（020）38001234", "1380013800a"]
AMOUNTS = ["1800", "1800.5", "1800.50", "1800.555", "1800.500", "1,800.00", "-1", "-0.00", "abc", "", "999999999.99", "1000000000", ".5", "5.", "+5", "-.5", "."]
DATES = ["2022-04-01", "2022-02-30", "2022-4-1", "1899-12-31", "", "2024-02-29", "2023-02-29"]


def server_reason(check, value):
    from server.errors import Invalid

    try:
        check(value)
    except Invalid as error:
        return error.reason
    return None


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_phone_checks_say_what_the_server_says(live_server, browser, language):
    """The phone's rules (casework-rules.js) give the server's answer, word for word, in the page's
    language: in English, the catalogue's translation of the server's Chinese, as its pages show it."""
    from server.i18n import translations
    from server.validation import rules

    context = browser.new_context()
    context.add_cookies([{"name": "lang", "value": language, "url": live_server}])
    page = context.new_page()
    page.goto(f"{live_server}/field/offline")
    english = language == "en"
    answers = page.evaluate(
        """async ([ids, phones, amounts, dates]) => { const r = await import('/static/js/casework-rules.js');
           return { ids: ids.map((v) => r.idNumberError(v)), phones: phones.map((v) => r.phoneError(v)),
                    amounts: amounts.map((v) => r.moneyError(v)), dates: dates.map((v) => r.dateError(v, { required: true })) }; }""",
        [ID_NUMBERS, PHONES, AMOUNTS, DATES],
    )

    def said(reason):
        return reason and translations(language).gettext(reason)

    assert answers["ids"] == [said(server_reason(lambda v: rules.id_number(v, "id"), v)) for v in ID_NUMBERS]
    assert answers["phones"] == [said(server_reason(lambda v: rules.phone(v, "phone"), v)) for v in PHONES]
    assert answers["amounts"] == [said(server_reason(lambda v: rules.money(v, "amount"), v)) for v in AMOUNTS]
    assert answers["dates"] == [said(server_reason(lambda v: rules.day(v, "on"), v)) for v in DATES]
    words = [w for answer in answers.values() for w in answer if w]
    assert len(set(words)) >= 10 and all(bool(CHINESE.search(w)) != english for w in words)
    context.close()


def test_referral_refused_by_the_server_is_shown_beside_its_field_and_corrected(live_server, playwright_instance, demo, tmp_path):
    """The organisation chosen offline stopped taking referrals meanwhile: the server refuses the
    referral, the case page says so, the referral page shows why beside the organisation, and a
    corrected referral is accepted."""
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        poll(page, """async () => Boolean(await (await caches.open('doorstep-pages')).match('/field/casework/new'))""")
        context.set_offline(True)
        open_new(page, live_server, "referral")
        page.fill("#n-address", "京溪路 9 号")
        page.fill("#n-phone", "13700137009")
        fill_member(page, 0, "刘洋", LIU)
        fill_referral(page, "13700137009")
        closing = int(page.locator("#r-org").input_value())
        case_id = save_draft(page)
        run(Organisation.update({Organisation.active: False}).where(Organisation.id == closing))

        context.set_offline(False)
        wait_synced(page)
        assert [e[1] for e in outbox(page) if e[0] == "referral.create"] == ["rejected"]
        page.goto(f"{live_server}/field/cases/{case_id}")
        field_ready(page)
        panel = page.locator("[data-gaps]")
        panel.wait_for()
        assert "服务器退回：该机构已停用，请选择其他机构" in panel.inner_text()
        page.click("a:has-text('转办转介')")
        page.wait_for_url("**/field/casework/referral?case=*")
        field_ready(page)
        assert error_beside(page, "#r-org") == "服务器退回：该机构已停用，请选择其他机构"
        assert page.locator(f"#r-org option[value='{closing}']").count() == 0  # the page no longer offers it
        fill_referral(page, "13700137009")
        page.click("button:has-text('保存转介')")
        page.wait_for_url(f"**/field/cases/{case_id}")
        wait_synced(page)
        referral = run(Referral.select(Referral.organisation, Referral.status).where(Referral.case == case_id).first())
        assert referral["status"] == "referred" and referral["organisation"] != closing
        assert [e[1] for e in outbox(page) if e[0] == "referral.create"] == ["discarded", "done"]
