"""The field app in real Chromium at phone size: installable, offline work that survives a
reload and a browser restart, sync that delivers everything once, resumable uploads, and
rejected mutations that stay visible."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from server.accounts.sessions import end_sessions_of
from server.accounts.tables import User
from server.cases.tables import Case
from server.households.idnumber import check_character
from server.households.tables import Household
from server.visits.tables import Visit
from tests.e2e.conftest import run
from tests.e2e.phone import (  # the other e2e files import the phone's steps from here, too
    capture_photo,
    capture_video,
    enroll_worker,
    evidence_of,
    field_ready,
    first_case_of,
    go,
    local_media,
    open_capture,
    open_phone,
    photo_file,
    poll,
    ready,
    record_visit,
    sync_once,
    sync_until,
    synced_phone,
    video_mp4,
    wait_for_worker,
    wait_synced,
)
from tests.support.browser import sign_in

pytestmark = pytest.mark.e2e

APPLICANT_ID = "44010619500315002" + check_character("44010619500315002")
CASE_URL = re.compile(r".*/field/cases/[0-9a-f-]{36}$")


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
    capture_photo(page, photo_file(tmp_path / "kitchen.png"))
    page.click("[data-rec-start]")
    page.wait_for_selector("[data-timer]:has-text('00:01')")
    page.click("[data-rec-stop]")
    page.click("[data-rec-save]:not([disabled])")
    page.wait_for_selector("text=录音已保存")
    clip = tmp_path / "room.mp4"
    clip.write_bytes(video)
    capture_video(page, str(clip))
    return case_id


def expect_everything_local(page, base: str, case_id: str) -> None:
    page.goto(f"{base}/field")
    page.wait_for_selector("[data-local-cases] >> text=周秀英")
    page.goto(f"{base}/field/cases/{case_id}")
    page.wait_for_selector("[data-local-visits] >> text=电话")
    page.wait_for_selector("[data-local-visits] >> text=赵社工")
    kinds = page.locator("[data-local-media] [data-slot=kind]").all_inner_texts()
    assert sorted(kinds) == sorted(["照片", "录音", "视频"])


def new_version_waits(page) -> None:
    """A new worker script (another URL is always a new worker): it installs and waits, and the
    page offers it."""
    page.evaluate("navigator.serviceWorker.register('/sw.js?release=2', { type: 'module', scope: '/' })")
    page.locator("[data-update-banner]").wait_for(state="visible")


def take_new_version(page) -> None:
    """立即更新: the page reloads under the new worker."""
    with page.expect_navigation():
        page.click("[data-update-now]")
    page.wait_for_function("navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL.endsWith('/sw.js?release=2')")


def test_field_app_is_installable(live_server, playwright_instance, tmp_path):
    context = open_phone(playwright_instance, tmp_path / "profile")
    try:
        page = context.pages[0]
        page.goto(f"{live_server}/field/offline")
        wait_for_worker(page)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == []
        manifest = cdp.send("Page.getAppManifest")
        assert manifest["url"].endswith("/manifest.json") and not manifest["errors"]
    finally:
        context.close()


def test_offline_visit_survives_reload_and_restart_then_arrives_once(live_server, playwright_instance, demo, tmp_path):
    video = video_mp4(400_000)
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        context.set_offline(True)
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

    context = open_phone(playwright_instance, tmp_path / "profile")  # the browser restarts
    try:
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

        assert sync_once(page)  # syncing again changes nothing
        assert run(Visit.count().where(Visit.case == case_id)) == 1
        assert len(evidence_of(case_id)) == 3
        page.goto(f"{live_server}/field/cases/{case_id}")  # the server's page now shows the visit
        page.wait_for_selector("text=已同步")
    finally:
        context.close()


def test_rejected_visit_stays_visible_with_its_reason(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (_, page):
        case_id = first_case_of("worker")
        record_visit(page, live_server, case_id, "王网格")  # the same person twice: the server refuses it
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


def test_large_video_upload_cut_off_half_way_resumes_from_the_offset(live_server, playwright_instance, demo, tmp_path):
    size = 50 * 1024 * 1024
    video = video_mp4(size)
    clip = tmp_path / "visit.mp4"
    clip.write_bytes(video)
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

    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        context.route("**/api/uploads/**", network)
        open_capture(page, live_server, case_id)
        capture_video(page, str(clip))
        poll(page, """async () => { const { all } = await import('/static/js/db.js');
            const [m] = await all('media'); return m && m.upload_url && m.reason && m.reason.includes('中断'); }""", timeout_s=60)
        assert cut["done"] and max(offsets) < size // 2 + 4 * 1024 * 1024
    # The app was closed with the upload half done; it opens again.
    context = open_phone(playwright_instance, tmp_path / "profile")
    try:
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
    finally:
        context.close()


def test_expired_session_keeps_the_outbox_until_the_worker_signs_in_again(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        worker = run(User.select(User.id).where(User.username == "worker").first())
        case_id = first_case_of("worker")
        context.set_offline(True)
        run(end_sessions_of(worker["id"]))  # the session expires while the phone is offline
        record_visit(page, live_server, case_id, "赵社工")
        context.set_offline(False)  # back online: the push is refused, the outbox keeps the visit
        page.wait_for_selector("[data-sync-error]:has-text('登录已过期')")
        page.wait_for_selector("[data-signin-again]:visible")
        assert run(Visit.count()) == 0
        assert page.evaluate("import('/static/js/outbox.js').then((o) => o.pendingCount())") == 1

        sign_in(page, live_server)  # the same passkey, discoverable
        page.goto(f"{live_server}/field")
        wait_synced(page)
        assert run(Visit.count().where(Visit.case == case_id)) == 1


def test_a_waiting_new_version_is_offered_and_taken_on_request(live_server, playwright_instance, tmp_path):
    context = open_phone(playwright_instance, tmp_path / "profile")
    try:
        page = context.pages[0]
        page.goto(f"{live_server}/field/offline")
        wait_for_worker(page)
        field_ready(page)
        assert page.locator("[data-update-banner]").is_hidden()
        new_version_waits(page)
        assert "/sw.js?release=2" not in page.evaluate("navigator.serviceWorker.controller.scriptURL")
        take_new_version(page)
    finally:
        context.close()


def test_restored_server_gets_the_lost_visit_again_from_the_device(live_server, playwright_instance, demo, tmp_path):
    from sync.epoch import start_new_epoch
    from sync.tables import SyncChange, SyncClient, SyncMutation

    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        case_id = first_case_of("worker")
        record_visit(page, live_server, case_id, "赵社工")
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

        sync_until(page, lambda: run(Visit.count()) > 0, "the device did not push the visit again", timeout_s=30)
        [again] = run(Visit.select(Visit.id, Visit.investigator_2))
        assert (again["id"], again["investigator_2"]) == (visit["id"], "赵社工")


def test_old_new_case_address_opens_the_per_type_page_offline_too(live_server, playwright_instance, demo, tmp_path):
    """A bookmark of the old new-case form keeps working, offline too, and a copy of the old form
    that an earlier version cached is dropped when the new version takes over."""
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        page.evaluate("""async () => (await caches.open('doorstep-pages')).put('/field/cases/new', new Response('<p>old form</p>', { headers: { 'Content-Type': 'text/html' } }))""")
        new_version_waits(page)
        take_new_version(page)
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


def test_cached_new_case_page_made_for_a_household_opens_blank_for_another_address(live_server, playwright_instance, demo, tmp_path):
    """Offline, the new-case page comes from whichever copy the device cached: one the server made
    for a household still opens a case for a new household when the address names none."""
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
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
