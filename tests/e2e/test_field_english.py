"""The field app in English: the words its JavaScript writes (outbox states, the sync bar, the sync
client's errors) follow the page's language, online and offline, after the worker switches it.

The modules are written in Chinese and say their words through t() (web/static/js/i18n.js); the
English comes from /i18n/en.json, built from the templates' catalogue and precached by the
service worker, which also fetches the cached pages again in the new language."""

from __future__ import annotations

import re

import pytest

from server.accounts.sessions import end_sessions_of
from server.accounts.tables import User
from server.visits.tables import Visit
from tests.e2e.conftest import run
from tests.e2e.test_field_app import enroll_worker, field_ready, first_case_of, open_phone, poll, ready

pytestmark = pytest.mark.e2e

CHINESE = re.compile(r"[\u3400-\u9fff]")


def record_visit(page, base: str, case_id: str, second_investigator: str) -> None:
    page.goto(f"{base}/field/visit?case={case_id}")
    field_ready(page)
    page.fill("#v-inv2", second_investigator)
    page.click("button:has-text('Save visit record')")
    page.wait_for_url(f"**/field/cases/{case_id}")
    field_ready(page)


def outbox_items(page, base: str) -> dict[str, tuple[str, str]]:
    """The outbox page's items: state code -> (state shown, action shown)."""
    page.goto(f"{base}/field/outbox")
    field_ready(page)
    page.locator(".outbox-item").first.wait_for()
    items = page.locator(".outbox-item")
    return {items.nth(i).get_attribute("data-state"): (items.nth(i).locator("[data-slot=state]").inner_text(), items.nth(i).locator("[data-slot=label]").inner_text())
            for i in range(items.count())}


def test_outbox_and_sync_labels_are_english_online_and_offline(live_server, playwright_instance, demo, tmp_path):
    context = open_phone(playwright_instance, tmp_path / "profile")  # a Chinese phone
    try:
        page = enroll_worker(context, live_server)
        ready(page, live_server)  # the service worker has precached the shell, in Chinese
        assert page.locator("[data-net]").inner_text() == "在线"

        page.get_by_role("link", name="English").click()  # the worker switches the language
        page.wait_for_url(f"{live_server}/field")
        field_ready(page)
        assert page.locator("html").get_attribute("lang") == "en"
        # The worker fetches the cached pages again in English (the outbox page is a precached shell page).
        poll(page, """async () => { const r = await caches.match('/field/outbox');
            return Boolean(r) && (await r.text()).includes('<html lang="en">'); }""")

        # Words put together in Chinese by the server or the service worker are found by their pattern.
        said = page.evaluate("""async () => { const { t } = await import('/static/js/i18n.js');
            return [t('请填写王伟的身份证号'), t('证据上传失败（服务器拒收），答复未发送：请重新拍摄证据后再答复'), t('两名调查人员不能是同一人'),
                    t('不能从“待审核”变为“退回补充”'), t('这条原因不在词表里'),
                    t('操作编号不连续：服务器已确认到 1，下一个应为 2，收到 3；请从 2 起按顺序重发')]; }""")
        assert said == ["Enter 王伟's ID number",
                        "Evidence upload failed (refused by the server); the answer was not sent: capture the evidence again, then answer",
                        "The two investigators cannot be the same person",  # the server's reasons are in the phone's words too
                        "Cannot go from “Awaiting review” to “Returned for more evidence”",  # its templates, found by their pattern
                        "这条原因不在词表里",  # a reason the catalogue does not know stays as the server said it
                        # the sync engine's own reasons too (sync/messages.py): a push out of order
                        "Operation numbers out of order: the server confirmed up to 1, the next should be 2, received 3; send again in order from 2"]
        # What waits for the worker (the sync bar): one phrase per kind that has any, joined as an English list.
        attention = page.evaluate("""async () => { const { attentionMessage } = await import('/static/js/status.js');
            return [attentionMessage({ rejected: 2, refused: 1, unattached: 1 }), attentionMessage({ rejected: 0, refused: 3, unattached: 1 }),
                    attentionMessage({ rejected: 0, refused: 0, unattached: 0 })]; }""")
        assert attention == ["2 record(s) sent back, 1 file(s) failed to upload, 1 file(s) not attached: please deal with them",
                             "3 file(s) failed to upload, 1 file(s) not attached: please deal with them", ""]

        case_id = first_case_of("worker")
        record_visit(page, live_server, case_id, "王网格")  # the same person twice: the server refuses it
        poll(page, """async () => { const { all } = await import('/static/js/db.js');
            return (await all('outbox')).some((e) => e.state === 'rejected'); }""")
        assert outbox_items(page, live_server) == {"rejected": ("Returned by the server", "Home visit")}
        # The server's answer says why in Chinese; the phone shows it in English.
        assert page.locator(".outbox-item[data-state=rejected] [data-slot=reason]").inner_text() == "The two investigators cannot be the same person"
        page.wait_for_selector("[data-sync-error]:has-text('1 record(s) sent back: please deal with them')")

        context.set_offline(True)  # offline: the pages and the words come from the service worker
        record_visit(page, live_server, case_id, "赵社工")
        assert outbox_items(page, live_server) == {"rejected": ("Returned by the server", "Home visit"), "pending": ("Waiting to sync", "Home visit")}
        bar = page.locator("[data-syncbar]")
        # The sync bar's line: the sync client's own error when the page tried to sync (Chromium's
        # emulated offline may leave navigator.onLine true), else the count of records sent back.
        offline_lines = ("Cannot reach the server; it will retry by itself.", "1 record(s) sent back: please deal with them")
        assert page.locator("[data-pending-count]").inner_text() == "1"  # the new visit; the one sent back needs attention
        assert page.locator("[data-attention-count]").inner_text() == "1" and page.locator("[data-attention-link]").is_visible()
        assert page.locator("[data-sync-error]").inner_text() in offline_lines
        assert not CHINESE.search(bar.inner_text()), bar.inner_text()
        page.reload()  # a reload offline: the same words
        field_ready(page)
        assert page.locator(".outbox-item[data-state=pending] [data-slot=state]").inner_text() == "Waiting to sync"
        assert page.locator("[data-sync-error]").inner_text() in offline_lines

        # The session expires meanwhile: back online, the sync client's error is shown in English.
        worker = run(User.select(User.id).where(User.username == "worker").first())
        run(end_sessions_of(worker["id"]))
        context.set_offline(False)
        page.click("[data-sync-now]")
        page.wait_for_selector("[data-sync-error]:has-text('Your sign-in has expired: sign in again with your passkey')")
        assert page.locator("[data-net]").inner_text() == "Online"
        assert not CHINESE.search(bar.inner_text()), bar.inner_text()
        assert run(Visit.count()) == 0
    finally:
        context.close()
