"""The field app in real Chromium at phone size: installable, offline work that survives a
reload and a browser restart, sync that delivers everything once, resumable uploads, and
rejected mutations that stay visible."""

from __future__ import annotations

import hashlib
import io
import os
import re
import time
from pathlib import Path

import pytest
from PIL import Image

from server.accounts.invitations import create_invitation
from server.accounts.sessions import end_sessions_of
from server.accounts.tables import User
from server.cases.tables import Case
from server.evidence.tables import Evidence
from server.households.idnumber import check_character
from server.households.tables import Household
from server.visits.tables import Visit
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, run
from tests.support.browser import PHONE, add_virtual_authenticator, enroll, sign_in

pytestmark = pytest.mark.e2e

MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
APPLICANT_ID = "44010619500315002" + check_character("44010619500315002")
CASE_URL = re.compile(r".*/field/cases/[0-9a-f-]{36}$")


def open_phone(playwright, profile: Path):
    """A phone-sized Chromium on a persistent profile (installability and restarts need one)."""
    return playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + MEDIA_ARGS,
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai",
    )


def enroll_worker(context, base: str, username: str = "worker"):
    """Enroll a passkey for a demo worker through an invitation; answers the page, signed in."""
    user = run(User.select(User.id, User.display_name, User.area.code.as_alias("area")).where(User.username == username).first())
    token, _ = run(create_invitation(display_name=user["display_name"], role="grid_worker", area_code=user["area"], user_id=user["id"]))
    page = context.pages[0] if context.pages else context.new_page()
    add_virtual_authenticator(context, page)
    enroll(page, f"{base}/enroll/{token}")
    return page


def poll(page, script: str, timeout_s: float = 30):
    """Wait until an async script answers something truthy (wait_for_function does not await)."""
    deadline = time.monotonic() + timeout_s
    while not (answer := page.evaluate(script)):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_s}s: {script}")
        page.wait_for_timeout(250)
    return answer


def ready(page, base: str) -> None:
    """Open the caseload online; wait for the service worker and the first sync's page cache."""
    page.goto(f"{base}/field")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20000)
    poll(page, """async () => { const { getMeta } = await import('/static/js/db.js');
        const c = await caches.open('doorstep-pages');
        return Boolean(await getMeta('last_sync') && await c.match('/field/visit') && await c.match('/field/capture')
            && await c.match('/field/casework/new')); }""")


def field_ready(page) -> None:
    """The page's script has rendered what the device holds and wired the forms."""
    page.wait_for_selector("html[data-field-ready]", state="attached")


def go(page, link_text: str, url) -> None:
    page.click(f"text={link_text}")
    page.wait_for_url(url)
    field_ready(page)


def photo_png(width=3000, height=2000) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def video_mp4(size: int) -> bytes:
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free"
    return head + os.urandom(size - len(head))


def local_media(page) -> list[dict]:
    return page.evaluate(
        """async () => { const { all } = await import('/static/js/db.js');
           return (await all('media')).map(({ blob, ...m }) => m); }"""
    )


def visit_offline(page, tmp_path: Path, video: bytes) -> str:
    """Create a household, a case and a visit with photo, audio and video; answers the case id."""
    go(page, "新建家庭", "**/field/households/new")
    page.fill("#h-address", "天河北路 12 号 3 栋 401 房")
    page.fill("#m0-name", "周秀英")
    page.fill("#m0-id", APPLICANT_ID)
    page.click("button:has-text('保存')")
    # The new-case page asks for the type first and starts from the household just registered.
    page.wait_for_url("**/field/casework/new?household=*")
    household_id = page.url.rsplit("household=", 1)[1]
    field_ready(page)
    assert page.locator("form[data-casework]").is_hidden()
    page.click("[data-type-chooser] a:has-text('低保')")
    page.wait_for_url(f"**/field/casework/new?type=dibao&household={household_id}")
    page.wait_for_selector("form[data-casework][data-ready]:visible")
    assert page.locator("[name=_household][value=existing]").is_checked()
    assert page.locator("#n-household").input_value() == household_id
    assert "天河北路 12 号 3 栋 401 房 (待同步)" in page.locator("#n-household option:checked").inner_text()
    page.click("button:has-text('保存草稿')")
    page.wait_for_url(CASE_URL)
    field_ready(page)
    case_id = page.url.rsplit("/", 1)[1]
    go(page, "记录入户走访", "**/field/visit?case=*")
    page.check("text=电话")
    page.fill("#v-inv2", "赵社工")
    page.fill("#v-members", "申请人独居，患高血压")
    page.fill("#v-notes", "电话中确认了用药情况")
    page.click("button:has-text('保存走访记录')")
    page.wait_for_url(f"**/field/cases/{case_id}")
    field_ready(page)
    go(page, "采集证据", "**/field/capture?case=*")
    photo = tmp_path / "kitchen.png"
    photo.write_bytes(photo_png())
    page.set_input_files("[data-capture-photo]", str(photo))
    page.wait_for_selector("text=照片已保存")
    page.click("[data-rec-start]")
    page.wait_for_selector("[data-timer]:has-text('00:01')")
    page.click("[data-rec-stop]")
    page.click("[data-rec-save]:not([disabled])")
    page.wait_for_selector("text=录音已保存")
    clip = tmp_path / "room.mp4"
    clip.write_bytes(video)
    page.set_input_files("[data-capture-video]", str(clip))
    page.wait_for_selector("text=视频已保存")
    return case_id


def expect_everything_local(page, base: str, case_id: str) -> None:
    page.goto(f"{base}/field")
    page.wait_for_selector("[data-local-cases] >> text=周秀英")
    page.goto(f"{base}/field/cases/{case_id}")
    page.wait_for_selector("[data-local-visits] >> text=电话")
    page.wait_for_selector("[data-local-visits] >> text=赵社工")
    kinds = page.locator("[data-local-media] [data-slot=kind]").all_inner_texts()
    assert sorted(kinds) == sorted(["照片", "录音", "视频"])


def wait_synced(page, timeout_s: float = 60) -> None:
    """Press 立即同步 until nothing is pending and no evidence is left on the device."""
    deadline = time.monotonic() + timeout_s
    left = "async () => { const { all } = await import('/static/js/db.js'); return (await all('outbox')).filter((e) => e.state === 'pending').length + (await all('media')).length; }"
    while page.evaluate(left):
        if time.monotonic() > deadline:
            state = page.evaluate(
                """async () => { const { all, getMeta } = await import('/static/js/db.js');
                   return { outbox: (await all('outbox')).map((e) => [e.name, e.state, e.reason]),
                            media: (await all('media')).map((m) => [m.kind, m.state, m.reason]), error: await getMeta('last_error') }; }"""
            )
            raise AssertionError(f"the outbox did not empty: {state}")
        page.click("[data-sync-now]")
        page.wait_for_timeout(1000)


def evidence_of(case_id: str) -> list[dict]:
    return run(Evidence.select(Evidence.sha256, Evidence.kind, Evidence.mime).where(Evidence.case == case_id))


def test_field_app_is_installable(live_server, playwright_instance, tmp_path):
    context = open_phone(playwright_instance, tmp_path / "profile")
    try:
        page = context.pages[0]
        page.goto(f"{live_server}/field/offline")
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20000)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.json") and not manifest["errors"]
    finally:
        context.close()


def test_offline_visit_survives_reload_and_restart_then_arrives_once(live_server, playwright_instance, demo, tmp_path):
    profile = tmp_path / "profile"
    context = open_phone(playwright_instance, profile)
    page = enroll_worker(context, live_server)
    ready(page, live_server)

    context.set_offline(True)
    video = video_mp4(400_000)
    case_id = visit_offline(page, tmp_path, video)
    captured = {m["kind"]: m for m in local_media(page)}
    assert set(captured) == {"photo", "audio", "video"}
    assert captured["photo"]["type"] == "image/jpeg"
    assert captured["video"]["sha256"] == hashlib.sha256(video).hexdigest()
    assert page.locator("[data-pending-count]").inner_text() == "6"  # 3 mutations, 3 files
    size = page.evaluate(
        """async () => { const { all } = await import('/static/js/db.js');
           const photo = (await all('media')).find((m) => m.kind === 'photo');
           const bitmap = await createImageBitmap(photo.blob); return [bitmap.width, bitmap.height]; }"""
    )
    assert size == [2048, 1365]  # downscaled on the device from 3000×2000

    page.reload()
    expect_everything_local(page, live_server, case_id)

    context.close()
    context = open_phone(playwright_instance, profile)
    context.set_offline(True)
    page = context.pages[0]
    expect_everything_local(page, live_server, case_id)
    assert run(Case.count().where(Case.id == case_id)) == 0  # nothing has left the device yet

    context.set_offline(False)
    wait_synced(page)
    case = run(Case.select().where(Case.id == case_id).first())
    assert case["type"] == "dibao"
    household = run(Household.select().where(Household.id == case["household"]).first())
    assert household["address"] == "天河北路 12 号 3 栋 401 房"
    visits = run(Visit.select().where(Visit.case == case_id))
    assert [(v["mode"], v["investigator_2"]) for v in visits] == [("phone", "赵社工")]
    evidence = evidence_of(case_id)
    assert sorted((e["kind"], e["sha256"]) for e in evidence) == sorted((m["kind"], m["sha256"]) for m in captured.values())
    photo = next(e for e in evidence if e["kind"] == "photo")
    assert photo["mime"] == "image/jpeg"

    page.click("[data-sync-now]")  # syncing again changes nothing
    page.wait_for_timeout(1500)
    assert run(Visit.count().where(Visit.case == case_id)) == 1
    assert len(evidence_of(case_id)) == 3
    page.goto(f"{live_server}/field/cases/{case_id}")  # the server's page now shows the visit
    page.wait_for_selector("text=已同步")
    context.close()


def first_case_of(username: str) -> str:
    user = run(User.select(User.id).where(User.username == username).first())
    return str(run(Case.select(Case.id).where(Case.assigned_to == user["id"]).first())["id"])


def test_rejected_visit_stays_visible_with_its_reason(live_server, playwright_instance, demo, tmp_path):
    context = open_phone(playwright_instance, tmp_path / "profile")
    try:
        page = enroll_worker(context, live_server)
        ready(page, live_server)
        case_id = first_case_of("worker")
        page.goto(f"{live_server}/field/visit?case={case_id}")
        field_ready(page)
        page.fill("#v-inv2", "王网格")  # the same person twice: the server refuses it
        page.click("button:has-text('保存走访记录')")
        page.wait_for_url(f"**/field/cases/{case_id}")
        poll(page, """async () => { const { all } = await import('/static/js/db.js');
            return (await all('outbox')).some((e) => e.state === 'rejected'); }""")
        assert run(Visit.count()) == 0
        for _ in range(2):  # still there after a reload
            page.goto(f"{live_server}/field/outbox")
            item = page.locator(".outbox-item[data-state=rejected]")
            item.wait_for()
            assert "两名调查人员不能是同一人" in item.locator("[data-slot=reason]").inner_text()
            assert item.locator("[data-slot=state]").inner_text() == "被退回"
        page.wait_for_selector("[data-sync-error]:has-text('1 条记录被退回')")

        item.locator("[data-act=fix]").click()  # fix it and send it again
        editor = item.locator("textarea")
        editor.fill('"赵社工"'.join(editor.input_value().rsplit('"王网格"', 1)))
        item.locator("button:has-text('保存并重发')").click()
        poll(page, f"""async () => {{ const r = await fetch('/field/cases/{case_id}'); return (await r.text()).includes('赵社工'); }}""")
        assert run(Visit.count()) == 1
        page.goto(f"{live_server}/field/outbox")
        field_ready(page)
        assert page.locator(".outbox-item[data-state=rejected]").count() == 0
    finally:
        context.close()


def test_large_video_upload_cut_off_half_way_resumes_from_the_offset(live_server, playwright_instance, demo, tmp_path):
    size = 50 * 1024 * 1024
    video = video_mp4(size)
    clip = tmp_path / "visit.mp4"
    clip.write_bytes(video)
    profile = tmp_path / "profile"
    context = open_phone(playwright_instance, profile)
    page = enroll_worker(context, live_server)
    ready(page, live_server)
    case_id = first_case_of("worker")

    offsets: list[int] = []
    cut = {"done": False}

    def network(route):
        # The network goes away once half the file is on the server.
        offset = int(route.request.headers.get("upload-offset", "0"))
        if route.request.method == "PATCH" and (cut["done"] or offset >= size // 2):
            cut["done"] = True
            route.abort("internetdisconnected")
            return
        if route.request.method == "PATCH":
            offsets.append(offset)
        route.continue_()

    context.route("**/api/uploads/**", network)
    page.goto(f"{live_server}/field/capture?case={case_id}")
    field_ready(page)
    page.set_input_files("[data-capture-video]", str(clip))
    page.wait_for_selector("text=视频已保存")
    poll(page, """async () => { const { all } = await import('/static/js/db.js');
        const [m] = await all('media'); return m && m.upload_url && m.reason && m.reason.includes('中断'); }""", timeout_s=60)
    assert cut["done"] and max(offsets) < size // 2 + 4 * 1024 * 1024
    context.close()  # the app is closed with the upload half done

    context = open_phone(playwright_instance, profile)
    resumed: list[tuple[int, int]] = []
    context.on("request", lambda r: r.method == "PATCH" and "/api/uploads/" in r.url and resumed.append(
        (int(r.headers.get("upload-offset", "0")), int(r.headers.get("content-length", "0") or 0))))
    page = context.pages[0]
    page.goto(f"{live_server}/field/outbox")
    wait_synced(page, timeout_s=120)
    assert resumed, "the upload was not resumed"
    first_offset = resumed[0][0]
    assert first_offset >= size * 0.45, f"resumed from {first_offset}, not from about half"
    sent_after = size - first_offset
    assert sent_after <= size * 0.55
    evidence = evidence_of(case_id)
    assert [(e["kind"], e["sha256"]) for e in evidence] == [("video", hashlib.sha256(video).hexdigest())]
    context.close()


def test_expired_session_keeps_the_outbox_until_the_worker_signs_in_again(live_server, playwright_instance, demo, tmp_path):
    context = open_phone(playwright_instance, tmp_path / "profile")
    try:
        page = enroll_worker(context, live_server)
        ready(page, live_server)
        worker = run(User.select(User.id).where(User.username == "worker").first())
        case_id = first_case_of("worker")
        context.set_offline(True)
        run(end_sessions_of(worker["id"]))  # the session expires while the phone is offline
        page.goto(f"{live_server}/field/visit?case={case_id}")
        field_ready(page)
        page.fill("#v-inv2", "赵社工")
        page.click("button:has-text('保存走访记录')")
        page.wait_for_url(f"**/field/cases/{case_id}")
        field_ready(page)
        context.set_offline(False)  # back online: the push is refused, the outbox keeps the visit
        page.wait_for_selector("[data-sync-error]:has-text('登录已过期')")
        page.wait_for_selector("[data-signin-again]:visible")
        assert run(Visit.count()) == 0
        assert page.evaluate("import('/static/js/outbox.js').then((o) => o.pendingCount())") == 1

        sign_in(page, live_server)  # the same passkey, discoverable
        page.goto(f"{live_server}/field")
        wait_synced(page)
        assert run(Visit.count().where(Visit.case == case_id)) == 1
    finally:
        context.close()


def test_a_waiting_new_version_is_offered_and_taken_on_request(live_server, playwright_instance, tmp_path):
    context = open_phone(playwright_instance, tmp_path / "profile")
    try:
        page = context.pages[0]
        page.goto(f"{live_server}/field/offline")
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20000)
        field_ready(page)
        assert page.locator("[data-update-banner]").is_hidden()
        # A new worker script (another URL is always a new worker): it installs and waits.
        page.evaluate("navigator.serviceWorker.register('/sw.js?release=2', { type: 'module', scope: '/' })")
        page.locator("[data-update-banner]").wait_for(state="visible")
        assert "/sw.js?release=2" not in page.evaluate("navigator.serviceWorker.controller.scriptURL")
        with page.expect_navigation():  # the page reloads under the new worker
            page.click("[data-update-now]")
        page.wait_for_function("navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL.endsWith('/sw.js?release=2')")
    finally:
        context.close()


def test_restored_server_gets_the_lost_visit_again_from_the_device(live_server, playwright_instance, demo, tmp_path):
    from sync.epoch import start_new_epoch
    from sync.tables import SyncChange, SyncClient, SyncMutation

    context = open_phone(playwright_instance, tmp_path / "profile")
    try:
        page = enroll_worker(context, live_server)
        ready(page, live_server)
        case_id = first_case_of("worker")
        page.goto(f"{live_server}/field/visit?case={case_id}")
        field_ready(page)
        page.fill("#v-inv2", "赵社工")
        page.click("button:has-text('保存走访记录')")
        page.wait_for_url(f"**/field/cases/{case_id}")
        wait_synced(page)
        [visit] = run(Visit.select(Visit.id))
        client_id = page.evaluate("import('/static/js/db.js').then((db) => db.getMeta('client_id'))")

        # The server is restored from a backup taken before the visit: it forgot the visit and
        # this device's mutations, and announces a new epoch.
        run(Visit.delete().where(Visit.id == visit["id"]))
        run(SyncChange.delete().where(SyncChange.record_id == str(visit["id"])))
        run(SyncMutation.delete().where(SyncMutation.client_id == client_id))
        run(SyncClient.delete().where(SyncClient.client_id == client_id))
        run(start_new_epoch("restore (test)"))

        page.click("[data-sync-now]")
        deadline = time.monotonic() + 30
        while run(Visit.count()) == 0:
            assert time.monotonic() < deadline, "the device did not push the visit again"
            page.click("[data-sync-now]")
            page.wait_for_timeout(1000)
        [again] = run(Visit.select(Visit.id, Visit.investigator_2))
        assert (again["id"], again["investigator_2"]) == (visit["id"], "赵社工")
    finally:
        context.close()


def test_old_new_case_address_opens_the_per_type_page_offline_too(live_server, playwright_instance, demo, tmp_path):
    """A bookmark of the old new-case form keeps working, offline too, and a copy of the old form
    that an earlier version cached is dropped when the new version takes over."""
    context = open_phone(playwright_instance, tmp_path / "profile")
    try:
        page = enroll_worker(context, live_server)
        ready(page, live_server)
        page.evaluate("""async () => (await caches.open('doorstep-pages')).put('/field/cases/new', new Response('<p>old form</p>', { headers: { 'Content-Type': 'text/html' } }))""")
        page.evaluate("navigator.serviceWorker.register('/sw.js?release=2', { type: 'module', scope: '/' })")
        page.locator("[data-update-banner]").wait_for(state="visible")
        with page.expect_navigation():
            page.click("[data-update-now]")
        page.wait_for_function("navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL.endsWith('/sw.js?release=2')")
        assert not page.evaluate("async () => Boolean(await (await caches.open('doorstep-pages')).match('/field/cases/new', { ignoreSearch: true }))")

        # A household the device holds that this copy of the page does not list (sent since it was made).
        household = "5d1c2b3a-0000-4000-8000-00000000beef"
        page.evaluate("""async (id) => { const { put } = await import('/static/js/db.js');
            await put('records', { key: `household:${id}`, type: 'household', id, data: { id, address: '龙口西路 5 号', members: [{ name: '陈大伟', relation: 'self' }] } }); }""", household)
        context.set_offline(True)
        page.goto(f"{live_server}/field/cases/new?household={household}")
        page.wait_for_url(f"**/field/casework/new?household={household}")
        field_ready(page)
        assert page.locator("[data-type-chooser]").is_visible()
        assert page.locator("[data-type-chooser] a").evaluate_all("(links) => links.filter((a) => a.offsetParent).map((a) => a.getAttribute('href'))") == [
            f"/field/casework/new?type={t}&household={household}" for t in ("dibao", "tekun", "temporary", "referral")]
        page.click("[data-type-chooser] a:has-text('临时救助')")
        page.wait_for_url(f"**/field/casework/new?type=temporary&household={household}")
        page.wait_for_selector("form[data-casework][data-ready]:visible")
        assert page.locator("[name=type][value=temporary]").is_checked() and page.locator("[data-field=temporary]").is_visible()
        assert page.locator("#n-household option:checked").inner_text() == "陈大伟 · 龙口西路 5 号"
        page.goto(f"{live_server}/field/cases/new?type=tekun")
        page.wait_for_url("**/field/casework/new?type=tekun")
        page.wait_for_selector("form[data-casework][data-ready]:visible")
        assert page.locator("[name=type][value=tekun]").is_checked() and page.locator("[data-field=tekun]").is_visible()
    finally:
        context.close()


def test_cached_new_case_page_made_for_a_household_opens_blank_for_another_address(live_server, playwright_instance, demo, tmp_path):
    """Offline, the new-case page comes from whichever copy the device cached: one the server made
    for a household still opens a case for a new household when the address names none."""
    context = open_phone(playwright_instance, tmp_path / "profile")
    try:
        page = enroll_worker(context, live_server)
        ready(page, live_server)
        household = run(Household.select(Household.id).where(Household.area.code == "440106004001").first())["id"]
        page.goto(f"{live_server}/field/casework/new?type=tekun&household={household}")
        page.wait_for_selector("form[data-casework][data-ready]:visible")
        assert page.locator("[name=_household][value=existing]").is_checked()
        poll(page, f"""async () => {{ const c = await caches.open('doorstep-pages');
            return Boolean(await c.match('/field/casework/new?type=tekun&household={household}')) && c.delete('/field/casework/new'); }}""")
        context.set_offline(True)
        page.goto(f"{live_server}/field/casework/new?type=dibao")
        page.wait_for_selector("form[data-casework][data-ready]:visible")
        assert page.locator("[name=type][value=dibao]").is_checked()
        assert page.locator("[name=_household][value=new]").is_checked() and page.locator("#n-household").input_value() == ""
        assert page.locator("#n-address").is_visible() and page.locator("#n-household").is_hidden()
    finally:
        context.close()
