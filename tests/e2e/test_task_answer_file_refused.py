"""A held task answer whose file the server refuses, in Chromium: offline, the worker answers a
returned case with a photo and a video that is not really a video (a broken recording), then records
a visit. Online, the photo goes through and the answer is held by the server (retry,
`evidence_pending`), set aside on the phone so that it holds up nothing. The server refuses the
video for good (its content is no video, 422); at the next sync the held answer becomes
`rejected`, with the reason naming the refused file, while the visit queued behind it has applied.
The worker sees the answer sent back (outbox, sync bar) and the task open again, its form naming
only the photo, so that they can capture the video again and answer again."""

from __future__ import annotations

import uuid

import pytest

from server.visits.tables import Visit
from tests.e2e.conftest import run
from tests.e2e.phone import broken_video, capture_photo, capture_video, field_ready, kitchen_photo, poll, sync_until
from tests.e2e.test_return_task import ANSWER, ANSWER_ENTRY, phone_with_task, server_state, supervisor_returns
from tests.e2e.test_review import signed_in_context
from tests.support.review_cases import make_case

pytestmark = pytest.mark.e2e

REFUSED = "不支持的文件类型（按文件内容判断）"
SENT_BACK = "答复未发送：请重新拍摄证据后再答复"


OUTBOX = """async () => { const { entries } = await import('/static/js/outbox.js');
    return (await entries()).map((e) => [e.name, e.state]); }"""


def test_held_answer_is_sent_back_when_its_file_is_refused_and_holds_up_nothing(live_server, browser, demo, tmp_path):
    made = run(make_case(name="退回乙"))
    case_id = made["case_id"]
    desk = signed_in_context(browser, live_server, "supervisor")
    task_id = supervisor_returns(desk.new_page(), live_server, case_id)
    desk.close()

    phone, page = phone_with_task(browser, live_server, task_id, "/field/visit")

    # Offline: a photo and a broken video for the task, the answer, then a visit to the same case.
    phone.set_offline(True)
    page.goto(f"{live_server}/field/tasks/{task_id}")
    field_ready(page)
    capture_photo(page, kitchen_photo(tmp_path))
    capture_video(page, broken_video(tmp_path))
    page.wait_for_selector("[data-task-evidence-text]:has-text('随答复提交的证据 2 份：照片、视频')")
    page.fill("#t-answer", ANSWER)
    page.click("[data-task-answer] button[type=submit]")
    page.wait_for_url("**/field/tasks")
    field_ready(page)
    page.goto(f"{live_server}/field/visit?case={case_id}")
    field_ready(page)
    page.fill("#v-inv2", "赵社工")
    page.fill("#v-members", "申请人在家，厨房已整理")
    page.fill("#v-notes", "补充材料前的电话回访")
    page.click("button:has-text('保存走访记录')")
    page.wait_for_url(f"**/field/cases/{case_id}")
    field_ready(page)
    assert page.evaluate(OUTBOX) == [["task.answer", "pending"], ["visit.record", "pending"]]

    # Online: the photo goes through, the video is refused, the answer held and then sent back.
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    sync_until(page, lambda: page.evaluate(ANSWER_ENTRY).get("state") == "rejected",
               lambda: f"the answer was not sent back: {page.evaluate(OUTBOX)}", timeout_s=90)

    answer = page.evaluate(ANSWER_ENTRY)
    assert answer["reason"].startswith(f"证据上传失败（{REFUSED}") and answer["reason"].endswith(SENT_BACK), answer["reason"]
    assert not answer.get("waiting")
    # Nothing else waited for it: the photo's attach and the visit queued behind the answer applied.
    states = dict(page.evaluate(OUTBOX))
    assert states["visit.record"] == "done" and states["evidence.attach"] == "done" and states["task.answer"] == "rejected"
    assert run(Visit.count().where(Visit.case == uuid.UUID(case_id))) == 1
    assert server_state(task_id, case_id) == ("open", "returned", ["photo"])  # no answer reached review
    media = page.evaluate("(async () => (await (await import('/static/js/db.js')).all('media')).map((m) => [m.kind, m.state, m.reason]))()")
    assert len(media) == 1 and media[0][:2] == ["video", "failed"] and media[0][2].startswith(REFUSED)

    # What the worker sees: the sync bar and the outbox say the answer was sent back, and why.
    page.goto(f"{live_server}/field/outbox")
    field_ready(page)
    page.wait_for_selector("[data-sync-error]:has-text('1 条记录被退回，1 个文件上传失败，请处理')")
    # Nothing is left to send: the answer and the video wait for the worker, counted apart.
    assert page.locator("[data-pending-count]").inner_text() == "0"
    assert page.locator("[data-attention-count]").inner_text() == "2"
    item = page.locator(".outbox-item[data-state=rejected]")
    item.wait_for()
    assert item.count() == 1 and item.locator("[data-slot=state]").inner_text() == "被退回"
    reason = item.locator("[data-slot=reason]")
    assert reason.is_visible() and REFUSED in reason.inner_text() and SENT_BACK in reason.inner_text()
    assert page.locator(".outbox-item[data-state=pending]").count() == 0

    # The task is open again: its form is back, naming only the photo the server has (attached, so
    # no longer on the device: its kind comes from its attach), and the refused video says why.
    page.goto(f"{live_server}/field/tasks/{task_id}")
    field_ready(page)
    page.wait_for_selector("[data-task-evidence-text]:has-text('随答复提交的证据 1 份：照片')")
    assert page.locator("[data-task-open]").is_visible() and page.locator("[data-task-answered-here]").is_hidden()
    video = page.locator("[data-local-media] li", has_text="视频")
    assert video.count() == 1 and "上传失败" in video.inner_text() and REFUSED in video.inner_text()
    page.goto(f"{live_server}/field")
    field_ready(page)
    poll(page, "document.querySelector('[data-task-count]').textContent === '1'")
    phone.close()
