"""The field sync bar in Chromium at phone size: what it counts and what it offers. 待同步 counts
only what will still be sent; what the server sent back or refused is counted apart (需处理) and
listed on the outbox page. Elements marked `hidden` stay hidden whatever their class styles them
as (a `.button` link, a `button`): 重新登录 shows only when the session is really gone, and an
outbox item offers only the actions that fit its state."""

from __future__ import annotations

import pytest

from server.accounts.sessions import end_sessions_of
from server.accounts.tables import User
from tests.e2e.conftest import run
from tests.e2e.phone import capture_video, field_ready, first_case_of, open_capture, poll, record_visit, synced_phone
from tests.e2e.test_task_answer_file_refused import broken_video

pytestmark = pytest.mark.e2e


def test_sign_in_again_shows_only_once_the_session_is_gone(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (_, page):
        for path in ("/field", "/field/outbox"):
            page.goto(f"{live_server}{path}")
            field_ready(page)
            assert page.locator("[data-syncbar]").is_visible()
            assert page.locator("[data-signin-again]").is_hidden()
            assert page.locator("[data-sync-error]").is_hidden()
            assert page.locator("[data-attention-link]").is_hidden()
            assert page.locator("[data-update-banner]").is_hidden()

        worker = run(User.select(User.id).where(User.username == "worker").first())
        run(end_sessions_of(worker["id"]))
        page.click("[data-sync-now]")
        page.wait_for_selector("[data-signin-again]:visible")
        assert "登录已过期" in page.locator("[data-sync-error]").inner_text()


def test_pending_count_leaves_out_what_was_sent_back_or_refused(live_server, playwright_instance, demo, tmp_path):
    with synced_phone(playwright_instance, live_server, tmp_path) as (_, page):
        case_id = first_case_of("worker")
        # A file the server refuses for good (its bytes are no video), and a visit it sends back
        # (the same person as both investigators).
        open_capture(page, live_server, case_id)
        capture_video(page, broken_video(tmp_path))
        record_visit(page, live_server, case_id, "王网格")
        poll(page, """async () => { const { all } = await import('/static/js/db.js');
            return (await all('outbox')).some((e) => e.state === 'rejected')
                && (await all('media')).some((m) => m.state === 'failed'); }""", timeout_s=60)

        page.goto(f"{live_server}/field")
        field_ready(page)
        assert page.locator("[data-pending-count]").inner_text() == "0"  # nothing is left to send
        attention = page.locator("[data-attention-link]")
        assert attention.is_visible() and attention.locator("[data-attention-count]").inner_text() == "2"
        assert page.locator("[data-sync-error]").inner_text() == "1 条记录被退回，1 个文件上传失败，请处理"
        assert page.locator("[data-signin-again]").is_hidden()

        attention.click()  # both are on the outbox page, each with what can be done about it
        page.wait_for_url("**/field/outbox")
        field_ready(page)
        item = page.locator(".outbox-item[data-state=rejected]")
        item.wait_for()
        assert item.count() == 1
        assert item.locator("[data-act=fix]").is_visible() and item.locator("[data-act=discard]").is_visible()
        assert item.locator("[data-act=retry]").is_hidden()  # a sent-back entry is not retried as it is
        video = page.locator("[data-local-media] li[data-state=failed]")
        assert video.count() == 1 and "上传失败" in video.inner_text()

        record_visit(page, live_server, case_id, "赵社工", offline=True)  # a new visit: one thing to send
        assert page.locator("[data-pending-count]").inner_text() == "1"
        assert page.locator("[data-attention-count]").inner_text() == "2"
        page.goto(f"{live_server}/field/outbox")
        field_ready(page)
        pending = page.locator(".outbox-item[data-state=pending]")
        pending.wait_for()
        assert pending.locator("[data-act=retry]").is_visible() and pending.locator("[data-act=fix]").is_hidden()
