"""A file the server refused for good, in Chromium at phone size: the outbox page offers what can be
done about it. Set aside (放弃, confirmed: the evidence leaves the device) or set aside and captured
anew where it was captured (放弃并重新录像); one the server found damaged on the way (its SHA-256 not
the one taken at capture) may be sent again as it is (重新上传). Each takes it out of 需处理."""

from __future__ import annotations

import pytest

from tests.e2e.phone import broken_video, capture_photo, capture_video, field_ready, first_case_of, kitchen_photo, open_capture, poll, synced_phone

pytestmark = pytest.mark.e2e

MEDIA = "(async () => (await (await import('/static/js/db.js')).all('media')).map((m) => [m.kind, m.state, m.code]))()"


def refused(page, count: int) -> None:
    poll(page, f"""async () => {{ const {{ all }} = await import('/static/js/db.js');
        const media = await all('media'); return media.length === {count} && media.every((m) => m.state === 'failed'); }}""", timeout_s=60)


def within_screen(locator) -> bool:
    box = locator.bounding_box()
    inside = box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    if not inside:  # printed with the failure: what was measured, and how wide the page was then
        print("outside the screen:", box, locator.page.evaluate(
            "({ scrollWidth: document.documentElement.scrollWidth, scrollX, innerWidth, visualViewport: [visualViewport.offsetLeft, visualViewport.width, visualViewport.scale] })"))
    return inside


def test_refused_file_is_discarded_or_captured_anew_from_the_outbox_page(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        case_id = first_case_of("worker")
        # Two recordings the server refuses (their bytes are no video), captured for no task.
        open_capture(page, live_server, case_id)
        for name in ("one", "two"):
            (tmp_path / name).mkdir()
            capture_video(page, broken_video(tmp_path / name))
        refused(page, 2)
        assert page.evaluate(MEDIA) == [["video", "failed", "unsupported_type"]] * 2

        page.goto(f"{live_server}/field/outbox")
        field_ready(page)
        assert page.locator("[data-attention-count]").inner_text() == "2"
        files = page.locator("[data-local-media] li[data-state=failed]")
        assert files.count() == 2
        first = files.first
        discard, retake = first.locator("[data-act=discard]"), first.locator("[data-act=retake]")
        assert discard.is_visible() and within_screen(discard)
        assert retake.is_visible() and retake.inner_text() == "放弃并重新录像" and within_screen(retake)
        assert first.locator("[data-act=reupload]").is_hidden()  # a file of the wrong type is not sent again

        # The worker changes their mind: nothing is lost.
        questions: list[str] = []
        page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
        # The click returns once the question is answered; a removal it made would have begun by
        # then, and IndexedDB runs the read below after it.
        discard.click()
        assert questions == ["放弃这个文件？它将从本机删除，无法恢复。"]
        assert files.count() == 2 and len(page.evaluate(MEDIA)) == 2

        page.once("dialog", lambda dialog: dialog.accept())
        discard.click()
        poll(page, "document.querySelectorAll('[data-local-media] li[data-state=failed]').length === 1")
        assert page.locator("[data-attention-count]").inner_text() == "1"
        assert page.locator("[data-sync-error]").inner_text() == "1 个文件上传失败，请处理"

        # The other one is recorded anew: set aside, then the capture page of its case.
        page.once("dialog", lambda dialog: dialog.accept())
        files.first.locator("[data-act=retake]").click()
        page.wait_for_url(f"**/field/capture?case={case_id}")
        field_ready(page)
        assert page.evaluate(MEDIA) == []
        assert page.locator("[data-capture-video]").count() == 1
        assert page.locator("[data-attention-link]").is_hidden() and page.locator("[data-sync-error]").is_hidden()
        assert page.locator("[data-pending-count]").inner_text() == "0"


def test_file_damaged_on_the_way_is_sent_again_from_the_outbox_page(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        case_id = first_case_of("worker")
        damaged: list[int] = []

        def damage_once(route):
            # The first upload's bytes are damaged on the way (past the file's head, which is checked first).
            body = route.request.post_data_buffer
            if route.request.method == "PATCH" and not damaged and body and len(body) > 4096:
                damaged.append(len(body))
                route.continue_(post_data=body[:4000] + bytes([body[4000] ^ 0xFF]) + body[4001:])
                return
            route.continue_()

        context.route("**/api/uploads/**", damage_once)
        open_capture(page, live_server, case_id)
        capture_photo(page, kitchen_photo(tmp_path))
        refused(page, 1)
        assert damaged and page.evaluate(MEDIA) == [["photo", "failed", "hash_mismatch"]]

        page.goto(f"{live_server}/field/outbox")
        field_ready(page)
        assert page.locator("[data-attention-count]").inner_text() == "1"
        item = page.locator("[data-local-media] li[data-state=failed]")
        again = item.locator("[data-act=reupload]")
        assert again.is_visible() and within_screen(again)
        assert item.locator("[data-act=retake]").inner_text() == "放弃并重新拍照"
        again.click()  # nothing is lost: no question asked
        # Sent again as a new upload, verified this time, attached: the device lets it go.
        poll(page, "async () => (await (await import('/static/js/db.js')).all('media')).length === 0", timeout_s=60)
        poll(page, "document.querySelector('[data-attention-link]').hidden")
        assert page.locator("[data-pending-count]").inner_text() == "0"
        assert len(damaged) == 1


DAMAGED_COPY = """async (caseId) => {
    const { put } = await import('/static/js/db.js');
    const { isoLocal } = await import('/static/js/outbox.js');
    const { sha256 } = await import('/static/js/capture.js');
    const taken = new Blob([new Uint8Array(4096).fill(7)], { type: 'image/jpeg' });
    const now = new Blob([new Uint8Array(4096).fill(7).fill(0, 100, 101)], { type: 'image/jpeg' });  // one byte changed since
    await put('media', { id: 'm-damaged', case_id: caseId, kind: 'photo', blob: now, type: 'image/jpeg', size: 4096, sha256: await sha256(taken),
        captured_at: isoLocal(), location: null, note: '', device: 'test', filename: 'p.jpg', state: 'failed', code: 'hash_mismatch',
        reason: '文件校验失败：收到的内容的 SHA-256 与设备声明的不一致。已丢弃，请重新上传。', upload_url: null, created: Date.now() });
}"""
COPY_DAMAGED = "本机保存的副本已损坏（与拍摄时的校验值不一致），无法重新上传：请放弃或重新拍摄"


def test_file_whose_copy_on_the_phone_is_damaged_is_not_sent_again(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        case_id = first_case_of("worker")
        # Refused as damaged on the way (hash_mismatch), but the phone's own copy no longer matches
        # the SHA-256 taken at capture either: sending it again could only be refused again.
        page.evaluate(DAMAGED_COPY, case_id)
        sent: list[str] = []
        context.on("request", lambda request: "/api/uploads" in request.url and sent.append(request.method))
        page.goto(f"{live_server}/field/outbox")
        field_ready(page)
        item = page.locator("[data-local-media] li[data-state=failed]")
        again = item.locator("[data-act=reupload]")
        assert again.is_visible()

        again.click()
        item.locator(f"[data-slot=state]:has-text('{COPY_DAMAGED}')").wait_for()
        assert item.locator("[data-slot=state]").inner_text() == f"上传失败 · {COPY_DAMAGED}"
        assert again.is_hidden()  # only set aside, or set aside and taken anew
        assert item.locator("[data-act=retake]").inner_text() == "放弃并重新拍照" and item.locator("[data-act=discard]").is_visible()
        assert page.evaluate(MEDIA) == [["photo", "failed", "copy_damaged"]]
        with page.expect_response(lambda r: "/api/sync/pull" in r.url and "limit=500" in r.url):  # uploads come before this pull
            page.click("[data-sync-now]")
        assert sent == [] and page.evaluate(MEDIA) == [["photo", "failed", "copy_damaged"]]
        assert page.locator("[data-sync-error]").inner_text() == "1 个文件上传失败，请处理"


SETUP = """async ([caseId, taskId]) => {
    const { put, setMeta } = await import('/static/js/db.js');
    const { isoLocal } = await import('/static/js/outbox.js');
    const blob = new Blob([new Uint8Array(64)], { type: 'video/mp4' });
    const file = (id) => ({ id, case_id: caseId, kind: 'video', blob, type: 'video/mp4', size: 64, sha256: '0'.repeat(64), captured_at: isoLocal(),
        location: null, note: '', device: 'test', filename: 'v.mp4', state: 'failed', reason: '不支持的文件类型（按文件内容判断）', code: 'unsupported_type', created: Date.now() });
    await put('media', file('m-refused'));
    await setMeta(`task-evidence:${taskId}`, ['m-photo', 'm-refused']);
    const answer = (extra) => ({ name: 'task.answer', args: { id: taskId, answer: '已补充', evidence: ['m-photo', 'm-refused'] }, created_at: isoLocal(),
        timestamp: Date.now(), state: 'pending', mutation_id: null, reason: null, ...extra });
    await put('outbox', answer({}));  // written offline, not sent yet
    await put('outbox', answer({ mutation_id: 7 }));  // numbered: the server may hold it already
}"""
ANSWERS = """async () => (await (await import('/static/js/outbox.js')).entries())
    .filter((e) => e.name === 'task.answer').map((e) => ({ state: e.state, reason: e.reason, lost: e.lost || null, mutation_id: e.mutation_id }))"""


def test_discarding_a_file_an_answer_names_sends_the_answer_back(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        case_id = first_case_of("worker")
        context.set_offline(True)
        page.evaluate(SETUP, [case_id, "t-1"])
        page.goto(f"{live_server}/field/outbox")
        field_ready(page)
        assert page.locator("[data-attention-count]").inner_text() == "1"

        questions: list[str] = []
        page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
        page.locator("[data-local-media] li[data-state=failed] [data-act=discard]").click()
        poll(page, "async () => (await (await import('/static/js/db.js')).all('media')).length === 0")
        assert questions == ["放弃这个文件？它将从本机删除，无法恢复；等待它的答复会被退回，需要重新答复。"]

        # The answer not sent yet is sent back at once, and says why; the one the server may hold
        # goes as it is and notes the file as lost. The task's form no longer names the file.
        sent_back = "证据文件已放弃，答复未发送：请重新拍摄证据后再答复"
        assert page.evaluate(ANSWERS) == [
            {"state": "rejected", "reason": sent_back, "lost": None, "mutation_id": None},
            {"state": "pending", "reason": None, "lost": ["m-refused"], "mutation_id": 7},
        ]
        item = page.locator(".outbox-item[data-state=rejected]")
        item.wait_for()
        assert item.locator("[data-slot=reason]").inner_text() == sent_back
        assert page.evaluate("(async () => (await import('/static/js/db.js')).getMeta('task-evidence:t-1'))()") == ["m-photo"]
        assert page.locator("[data-attention-count]").inner_text() == "1"  # the answer, no longer the file

        # The server sets the held answer aside to wait for the file: it is sent back instead of waiting.
        page.evaluate("""async () => { const outbox = await import('/static/js/outbox.js');
            const held = (await outbox.entries()).find((e) => e.mutation_id === 7);
            await outbox.setAside(held, { reason: '答复等待证据上传', details: { waiting_for: ['m-refused'] } });
            await outbox.releaseReady(); }""")
        assert [(a["state"], a["reason"]) for a in page.evaluate(ANSWERS)] == [("rejected", sent_back)] * 2
