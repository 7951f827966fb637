"""A file uploaded whole but whose `evidence.attach` the server rejected for another reason than a
missing upload (a declared kind its content contradicts, a case not found or out of the worker's
scope), in Chromium at phone size. The phone used to keep it as 待确认 for ever, with nothing to do
about it; now it shows it as 未附加 with the server's reason and offers what makes sense: attach it
again when the phone can mend the cause, or set it aside (confirmed). Each takes it out of 需处理.
Setting aside the rejected attach itself (kept as such by a phone from before) takes its file too."""

from __future__ import annotations

import uuid

import pytest

from server.evidence.tables import Evidence
from server.uploads.tables import Blob, Upload
from tests.e2e.conftest import run
from tests.e2e.phone import capture_photo, capture_video, field_ready, first_case_of, kitchen_photo, open_capture, poll, sync_until, synced_phone
from tests.e2e.test_refused_file_actions import MEDIA, within_screen

pytestmark = pytest.mark.e2e

TO_END = "(async () => (await import('/static/js/db.js')).getMeta('uploads-to-end', []))()"
ATTACHES = """async () => (await (await import('/static/js/db.js')).all('outbox'))
    .filter((e) => e.name === 'evidence.attach').map((e) => [e.state, e.args.kind])"""


def not_attached(page) -> None:
    poll(page, f"({MEDIA}).then((m) => m.length === 1 && m[0][1] === 'failed')", timeout_s=60)


def test_file_whose_kind_the_server_contradicts_is_attached_again_as_its_content(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        case_id = first_case_of("worker")
        # A picture chosen in the video field: it uploads whole, and its attach as a video is rejected.
        open_capture(page, live_server, case_id)
        capture_video(page, kitchen_photo(tmp_path))
        not_attached(page)
        assert page.evaluate(MEDIA) == [["video", "failed", "not_attached"]]
        assert page.evaluate(ATTACHES) == [["discarded", "video"]]  # the file carries the rejection now

        page.goto(f"{live_server}/field/outbox")
        field_ready(page)
        assert page.locator("[data-attention-count]").inner_text() == "1"  # once, not as a record and a file
        assert page.locator("[data-sync-error]").inner_text() == "1 个文件未附加，请处理"
        assert page.locator(".outbox-item[data-state=rejected]").count() == 0
        item = page.locator("[data-local-media] li[data-state=failed]")
        assert item.locator("[data-slot=state]").inner_text() == "未附加 · 文件内容是照片（image/png），与声明的视频不符。"
        again = item.locator("[data-act=reattach]")
        assert again.is_visible() and again.inner_text() == "改作照片重新附加" and within_screen(again)
        assert item.locator("[data-act=discard]").is_visible() and item.locator("[data-act=reupload]").is_hidden()
        assert item.locator("[data-slot-preview] img").count() == 1  # shown as what it is: a picture

        again.click()  # nothing is lost: no question asked
        poll(page, f"({MEDIA}).then((m) => m.length === 0)", timeout_s=60)
        poll(page, "document.querySelector('[data-attention-link]').hidden")
        assert page.locator("[data-pending-count]").inner_text() == "0"
        assert page.evaluate(ATTACHES) == [["discarded", "video"], ["done", "photo"]]
        assert run(Evidence.select(Evidence.kind).where(Evidence.case == uuid.UUID(case_id))) == [{"kind": "photo"}]


def photo_for_a_case_out_of_scope(page, base: str, tmp_path) -> str:
    """A photo taken for a case that is not this worker's (another community's): not attached.
    Leaves the outbox page open; answers that case's id."""
    elsewhere = first_case_of("worker3")
    open_capture(page, base, elsewhere)
    capture_photo(page, kitchen_photo(tmp_path))
    not_attached(page)
    page.goto(f"{base}/field/outbox")
    field_ready(page)
    return elsewhere


def test_file_for_a_case_out_of_scope_is_set_aside_after_confirmation(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        photo_for_a_case_out_of_scope(page, live_server, tmp_path)
        assert page.locator("[data-attention-count]").inner_text() == "1"
        item = page.locator("[data-local-media] li[data-state=failed]")
        assert item.locator("[data-slot=state]").inner_text() == "未附加 · 找不到该案件，或不在您的管辖范围内。"
        assert item.locator("[data-act=reattach]").inner_text() == "重新附加"  # the case may be there later
        discard = item.locator("[data-act=discard]")
        assert within_screen(discard)

        questions: list[str] = []
        page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
        # The click returns once the question is answered; a removal it made would have begun by
        # then, and IndexedDB runs the read below after it.
        discard.click()
        assert questions == ["放弃这个文件？它将从本机删除，无法恢复。"] and len(page.evaluate(MEDIA)) == 1

        # Set aside while offline: its upload, finished but never attached, is ended on the server
        # at the next sync (tus termination), even after the app was closed meanwhile.
        upload = run(Upload.select(Upload.id, Upload.sha256).where(Upload.status == "complete"))
        assert len(upload) == 1 and run(Blob.exists().where(Blob.sha256 == upload[0]["sha256"]))
        context.set_offline(True)
        page.once("dialog", lambda dialog: dialog.accept())
        discard.click()
        poll(page, f"({MEDIA}).then((m) => m.length === 0)")
        poll(page, "document.querySelector('[data-attention-link]').hidden")
        assert page.locator("[data-pending-count]").inner_text() == "0"
        assert page.evaluate(TO_END) == [f"/api/uploads/{upload[0]['id']}"]
        # One removed meanwhile by the server's cleanup answers 404: that counts as done too.
        page.evaluate("""async (url) => { const { getMeta, setMeta } = await import('/static/js/db.js');
            await setMeta('uploads-to-end', [...await getMeta('uploads-to-end'), url]); }""", f"/api/uploads/{uuid.uuid4()}")
        page.reload()
        field_ready(page)
        assert len(page.evaluate(TO_END)) == 2
        assert run(Upload.exists().where(Upload.id == upload[0]["id"]))

        ended: list[tuple[int, str]] = []
        context.on("response", lambda r: r.request.method == "DELETE" and ended.append((r.status, r.request.headers.get("x-csrftoken", ""))))
        busy: list[str] = []

        def busy_once(route):  # the server cannot take the first termination: it stays queued
            if route.request.method == "DELETE" and str(upload[0]["id"]) in route.request.url and not busy:
                busy.append(route.request.url)
                route.fulfill(status=503, body="{}", content_type="application/json")
                return
            route.continue_()

        context.route("**/api/uploads/**", busy_once)
        context.set_offline(False)  # syncs; so does the button, until the queue is empty
        sync_until(page, lambda: not page.evaluate(TO_END), lambda: page.evaluate(TO_END), timeout_s=30)
        assert busy and [status for status, _ in ended if status != 404] == [503, 204]  # tried again after the 503
        assert [status for status, _ in ended].count(404) == 1 and all(token for _, token in ended)
        assert not run(Upload.exists().where(Upload.id == upload[0]["id"]))
        assert not run(Blob.exists().where(Blob.sha256 == upload[0]["sha256"]))  # nothing else had that content


LEGACY = """async (caseId) => {
    const { put } = await import('/static/js/db.js');
    const { isoLocal } = await import('/static/js/outbox.js');
    const args = { id: 'm-legacy', case_id: caseId, sha256: '0'.repeat(64), kind: 'photo', captured_at: isoLocal(), device: 'test', location: null, note: '' };
    await put('media', { ...args, blob: new Blob([new Uint8Array(64)], { type: 'image/png' }), type: 'image/png', size: 64, filename: 'p.png', state: 'uploaded', created: Date.now() });
    await put('outbox', { name: 'evidence.attach', args, created_at: args.captured_at, timestamp: Date.now(), state: 'rejected', mutation_id: 3,
        reason: '找不到该案件，或不在您的管辖范围内。', result: { status: 'rejected', field: 'case_id' } });
}"""


def test_setting_aside_a_rejected_attach_takes_its_file_too(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        case_id = first_case_of("worker")
        # A phone from before: the rejected attach kept in the outbox, its file 待确认 beside it.
        context.set_offline(True)
        page.evaluate(LEGACY, case_id)
        page.goto(f"{live_server}/field/outbox")
        field_ready(page)
        assert page.locator("[data-attention-count]").inner_text() == "1"
        assert page.locator("[data-local-media] li[data-state=uploaded]").count() == 1

        questions: list[str] = []
        page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
        page.locator(".outbox-item[data-state=rejected] [data-act=discard]").click()
        poll(page, f"({MEDIA}).then((m) => m.length === 0)")
        assert questions == ["放弃这条记录？它的文件将从本机删除，无法恢复。"]
        assert page.evaluate(ATTACHES) == [["discarded", "photo"]]
        poll(page, "document.querySelector('[data-attention-link]').hidden")
        # The list of files is drawn after the sync bar: wait for it, not for the bar.
        poll(page, "document.querySelectorAll('[data-local-media] li[data-media-id]').length === 0")


WAITING = """async (caseId) => {
    const { put } = await import('/static/js/db.js');
    const { isoLocal, NOT_ATTACHED } = await import('/static/js/outbox.js');
    await put('media', { id: 'm-kind', case_id: caseId, kind: 'video', blob: new Blob([new Uint8Array(64)], { type: 'image/png' }), type: 'image/png', size: 64,
        sha256: '0'.repeat(64), captured_at: isoLocal(), location: null, note: '', device: 'test', filename: 'v.png', state: 'failed', code: NOT_ATTACHED,
        field: 'kind', reason: '文件内容是照片（image/png），与声明的视频不符。', created: Date.now() });
    await put('outbox', { name: 'task.answer', args: { id: 't-1', answer: '已补充', evidence: ['m-kind'] }, created_at: isoLocal(), timestamp: Date.now(),
        state: 'pending', mutation_id: null, reason: '答复等待证据上传', waiting: ['m-kind'] });
}"""
OUTBOX = """async () => (await (await import('/static/js/outbox.js')).entries()).map((e) => [e.name, e.state, e.args.kind || null, Boolean(e.waiting)])"""


def test_answer_waits_for_a_file_not_attached_until_it_is_attached_again(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        case_id = first_case_of("worker")
        context.set_offline(True)
        page.evaluate(WAITING, case_id)
        release = "(async () => (await import('/static/js/outbox.js')).releaseReady())()"
        page.evaluate(release)
        # Not sent back: the file may still be attached, once the worker mends it.
        assert page.evaluate(OUTBOX) == [["task.answer", "pending", None, True]]

        page.goto(f"{live_server}/field/outbox")
        field_ready(page)
        page.locator("[data-local-media] li[data-state=failed] [data-act=reattach]").click()
        poll(page, f"({MEDIA}).then((m) => m.length === 1 && m[0][1] === 'uploaded')")
        page.evaluate(release)
        # Attached again as a photo; the answer goes back in line behind that attach.
        assert page.evaluate(OUTBOX) == [["evidence.attach", "pending", "photo", False], ["task.answer", "pending", None, False]]


MIXED = """async (caseId) => {
    const { put } = await import('/static/js/db.js');
    const { isoLocal, NOT_ATTACHED } = await import('/static/js/outbox.js');
    const file = (id, changes) => ({ id, case_id: caseId, kind: 'photo', blob: new Blob([new Uint8Array(64)], { type: 'image/png' }), type: 'image/png', size: 64,
        sha256: '0'.repeat(64), captured_at: isoLocal(), location: null, note: '', device: 'test', filename: 'p.png', state: 'failed', created: Date.now(), ...changes });
    await put('media', file('m-refused', { code: 'unsupported_type', reason: '不支持的文件类型（按文件内容判断）' }));
    await put('media', file('m-unattached', { code: NOT_ATTACHED, field: 'case_id', reason: '找不到该案件，或不在您的管辖范围内。' }));
    await put('outbox', { name: 'case.update', args: { id: caseId }, created_at: isoLocal(), timestamp: Date.now(), state: 'rejected', mutation_id: 4,
        reason: '案件已提交，不能修改' });
}"""


def test_sync_bar_counts_refused_and_not_attached_files_apart(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        case_id = first_case_of("worker")
        page.evaluate(MIXED, case_id)
        page.goto(f"{live_server}/field/outbox")
        field_ready(page)
        error = page.locator("[data-sync-error]")
        assert page.locator("[data-attention-count]").inner_text() == "3"
        assert error.inner_text() == "1 条记录被退回，1 个文件上传失败，1 个文件未附加，请处理"

        page.once("dialog", lambda dialog: dialog.accept())
        page.locator(".outbox-item[data-state=rejected] [data-act=discard]").click()
        page.wait_for_selector("[data-sync-error]:text-is('1 个文件上传失败，1 个文件未附加，请处理')")

        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("[data-local-media] li[data-media-id=m-refused] [data-act=discard]").click()
        page.wait_for_selector("[data-sync-error]:text-is('1 个文件未附加，请处理')")
        assert page.locator("[data-attention-count]").inner_text() == "1"


def test_file_for_a_case_out_of_scope_is_attached_to_another_case_of_the_worker(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        case_id = first_case_of("worker")
        elsewhere = photo_for_a_case_out_of_scope(page, live_server, tmp_path)
        item = page.locator("[data-local-media] li[data-state=failed]")
        choice = item.locator("[data-other-case] select")
        assert item.locator("[data-other-case] label").inner_text().startswith("改为附加到其他案件")
        offered = choice.locator("option").evaluate_all("(options) => options.map((o) => o.value)")
        assert case_id in offered and elsewhere not in offered  # the worker's own cases only
        assert "·" in choice.locator(f"option[value='{case_id}']").inner_text()  # named by applicant, address, type
        attach_other = item.locator("[data-act=attach-other]")
        assert within_screen(choice) and within_screen(attach_other)

        choice.select_option(case_id)
        attach_other.click()
        poll(page, f"({MEDIA}).then((m) => m.length === 0)", timeout_s=60)
        poll(page, "document.querySelector('[data-attention-link]').hidden")
        assert page.evaluate(ATTACHES) == [["discarded", "photo"], ["done", "photo"]]
        assert run(Evidence.select(Evidence.kind).where(Evidence.case == uuid.UUID(case_id))) == [{"kind": "photo"}]
        assert run(Evidence.select(Evidence.id).where(Evidence.case == uuid.UUID(elsewhere))) == []
