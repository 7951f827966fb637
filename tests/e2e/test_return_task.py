"""Return for more evidence, the whole loop in Chromium: the supervisor returns a case with a
request; the worker's phone syncs and shows the task, goes offline, photographs and films what
was asked for and answers; back online (on a mobile network, large videos waiting for Wi-Fi) it
pushes the answer, which the server holds until its evidence arrives, while the photo goes
through; on Wi-Fi the video uploads, with its progress on the task page, and only then the case
comes back to review, where the supervisor sees the answer, the photo and the video."""

from __future__ import annotations

import uuid

import pytest

from server.cases.tables import Case
from server.evidence.tables import Evidence
from server.review.tables import Task
from tests.e2e.conftest import run
from tests.e2e.phone import (
    capture_photo,
    capture_video,
    field_ready,
    kitchen_photo,
    poll,
    signed_in_phone,
    sync_until,
    video_file,
    wait_for_worker,
    wait_until,
)
from tests.e2e.test_review import signed_in_context
from tests.support.review_cases import make_case

pytestmark = pytest.mark.e2e

REQUEST = "请补充: 厨房照片"
ANSWER = "已补充厨房照片，灶台和冰箱都拍了"


def kitchen_video(tmp_path) -> str:
    """An MP4 a little over the size that waits for Wi-Fi (uploads.js LARGE_VIDEO, 20 MiB)."""
    return video_file(tmp_path / "kitchen.mp4", 21 * 1024 * 1024)


# The browser reports its connection type (navigator.connection.type) as the test says:
# a mobile network until the test puts "wifi" in localStorage. Init scripts reach pages, not the
# service worker, which would take the phone for one on Wi-Fi: the phone's Background Sync is never
# started (tests.support.browser.NO_BACKGROUND_SYNC), and the pages' own syncs do the work.
CONNECTION = """(() => {
  const type = () => { try { return localStorage.getItem("test-connection") || "cellular"; } catch { return "cellular"; } };
  if (window.NetworkInformation) Object.defineProperty(NetworkInformation.prototype, "type", { configurable: true, get: type });
  else Object.defineProperty(Navigator.prototype, "connection", { configurable: true, get: () => ({ get type() { return type(); } }) });
})();"""


def worker_phone(browser, base: str):
    """The worker's phone, signed in, on a mobile network."""
    context = signed_in_phone(browser, base)
    context.add_init_script(CONNECTION)
    return context


def phone_with_task(browser, base: str, task_id: str, *pages: str):
    """The worker's phone once its first sync pulled the open task and cached the task's page and
    `pages` for offline use; answers (context, page)."""
    phone = worker_phone(browser, base)
    page = phone.new_page()
    page.goto(f"{base}/field")
    wait_for_worker(page)
    cached = " && ".join(f"await c.match('{url}')" for url in (f"/field/tasks/{task_id}", *pages))
    poll(page, f"""async () => {{ const {{ all, getMeta }} = await import('/static/js/db.js');
        const c = await caches.open('doorstep-pages');
        return Boolean(await getMeta('last_sync'))
            && (await all('records')).some(r => r.type === 'task' && r.id === '{task_id}' && r.data.status === 'open')
            && Boolean({cached}); }}""")
    return phone, page


def server_state(task_id: str, case_id: str) -> tuple[str, str, list[str]]:
    task = run(Task.select(Task.status).where(Task.id == uuid.UUID(task_id)).first())
    case = run(Case.select(Case.status).where(Case.id == uuid.UUID(case_id)).first())
    kinds = run(Evidence.select(Evidence.kind).where(Evidence.case == uuid.UUID(case_id)).order_by(Evidence.kind))
    return task["status"], case["status"], [e["kind"] for e in kinds]


ANSWER_ENTRY = """async () => { const { entries } = await import('/static/js/outbox.js');
    return (await entries()).find((e) => e.name === 'task.answer') || {}; }"""


def supervisor_returns(page, base: str, case_id: str) -> str:
    page.goto(f"{base}/review/cases/{case_id}")
    page.locator("form[data-action=return] textarea[name=request]").fill(REQUEST)
    page.locator("form[data-action=return] button[type=submit]").click()
    page.locator("#decision-panel .alert.ok").wait_for()
    assert page.locator("#decision-panel").get_attribute("data-status") == "returned"
    task = run(Task.select(Task.id).where(Task.case == uuid.UUID(case_id)).first())
    return str(task["id"])


def test_returned_case_is_answered_offline_on_the_phone_and_comes_back_to_review(live_server, browser, demo, tmp_path):
    made = run(make_case(name="退回甲"))
    case_id = made["case_id"]
    desk = signed_in_context(browser, live_server, "supervisor")
    supervisor = desk.new_page()
    task_id = supervisor_returns(supervisor, live_server, case_id)

    # The first sync pulled the task and cached its page and the task list for offline use.
    phone, page = phone_with_task(browser, live_server, task_id, "/field/tasks")
    page.reload()
    field_ready(page)
    assert page.locator("[data-task-count]").inner_text() == "1"
    # The returned case's own page says what is asked for, and links to the task.
    page.goto(f"{live_server}/field/cases/{case_id}")
    field_ready(page)
    request_link = page.locator(f"[data-case-tasks] a[href='/field/tasks/{task_id}']")
    request_link.wait_for()
    assert REQUEST in request_link.inner_text()
    # Large videos wait for Wi-Fi (the phone is on a mobile network).
    page.goto(f"{live_server}/field/outbox")
    field_ready(page)
    page.check("[data-wifi-only]")
    poll(page, "(async () => (await (await import('/static/js/db.js')).getMeta('settings', {})).wifi_only === true)()")
    page.goto(f"{live_server}/field")
    field_ready(page)

    phone.set_offline(True)
    page.click("a.tasks-link")
    page.wait_for_url("**/field/tasks")
    field_ready(page)
    item = page.locator(f"[data-task-id='{task_id}']")
    assert REQUEST in item.inner_text() and "退回甲" in item.inner_text()
    item.locator("a").click()
    page.wait_for_url(f"**/field/tasks/{task_id}")
    field_ready(page)
    assert page.locator("[data-task-request]").inner_text() == REQUEST
    assert page.locator("[data-task-open]").is_visible()
    capture_photo(page, kitchen_photo(tmp_path))
    page.wait_for_selector("[data-local-media] [data-slot=kind]:has-text('照片')")
    capture_video(page, kitchen_video(tmp_path))
    page.wait_for_selector("[data-local-media] [data-slot=kind]:has-text('视频')")
    # The answer names the evidence captured on this page.
    page.wait_for_selector("[data-task-evidence-text]:has-text('随答复提交的证据 2 份：照片、视频')")
    captured = page.evaluate("[...document.querySelectorAll('[data-task-evidence] input[type=hidden]')].map((i) => [i.name, i.value])")
    media_ids = page.evaluate("(async () => (await (await import('/static/js/db.js')).all('media')).sort((a, b) => a.created - b.created).map((m) => m.id))()")
    assert captured == [["evidence.0", media_ids[0]], ["evidence.1", media_ids[1]]]
    for target in ("label[for=e-photo]", "[data-task-answer] button[type=submit]"):
        box = page.locator(target).bounding_box()
        assert box["height"] >= 44 and box["width"] <= 360, (target, box)
    page.fill("#t-answer", ANSWER)
    page.click("[data-task-answer] button[type=submit]")
    page.wait_for_url("**/field/tasks")
    field_ready(page)
    poll(page, f"document.querySelector(\"[data-task-id='{task_id}'] [data-task-state]\").textContent.includes('等待证据上传')")
    assert page.locator("[data-task-count]").inner_text() == "0"
    # Nothing has left the phone: the task is still open and the case still returned.
    assert server_state(task_id, case_id) == ("open", "returned", [])
    # Opening the task again (from the cache) shows it answered here, waiting for its evidence.
    page.goto(f"{live_server}/field/tasks/{task_id}")
    field_ready(page)
    poll(page, "!document.querySelector('[data-task-answered-here]').hidden")
    assert page.locator("[data-task-open]").is_hidden()
    assert "答复已保存，等待证据上传（2 份）" in page.locator("[data-task-answer-state]").inner_text()
    assert page.locator("[data-task-waiting] li").count() == 2

    # Online on a mobile network: the photo uploads, the video waits for Wi-Fi. The answer is
    # pushed and held by the server (retry, evidence_pending); it holds up nothing behind it.
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    sync_until(page, lambda: page.evaluate(ANSWER_ENTRY).get("waiting") and server_state(task_id, case_id)[2] == ["photo"],
               "the answer was not pushed, or the photo did not arrive", timeout_s=90)
    held = page.evaluate(ANSWER_ENTRY)
    # Pushed before the photo's attach (queued after it): the server waited for both files.
    assert held["waiting"] == media_ids and "答复等待证据上传" in held["reason"] and held["mutation_id"] is None
    assert server_state(task_id, case_id) == ("open", "returned", ["photo"])
    # The server holds the photo a moment before the phone hears so and lets it go: then the page
    # shows one file waiting (drawn with the list of them).
    page.locator("[data-task-answer-state]", has_text="等待证据上传（1 份）").wait_for()
    video_item = page.locator(f"[data-task-waiting] li[data-media-id='{media_ids[1]}']")
    assert video_item.count() == 1 and "等待 Wi-Fi 后上传" in video_item.inner_text()

    # On Wi-Fi the video uploads; the task page shows its progress. The upload is held after
    # its first chunk, and until it finishes the case stays returned.
    paused: list = []
    holding = {"on": True}

    def hold_after_first_chunk(route):
        if holding["on"] and route.request.method == "PATCH" and int(route.request.headers.get("upload-offset", "0")) > 0:
            paused.append(route)
        else:
            route.continue_()

    phone.route("**/api/uploads/**", hold_after_first_chunk)
    page.evaluate("localStorage.setItem('test-connection', 'wifi')")
    page.click("[data-sync-now]")
    wait_until(page, lambda: paused, "the video upload did not start on Wi-Fi")  # the first chunk is on the server, the second one waits
    poll(page, f"""(() => {{ const bar = document.querySelector("[data-task-waiting] li[data-media-id='{media_ids[1]}'] progress");
        return bar && !bar.hidden && bar.value > 0 && bar.value < 100; }})()""")
    assert "等待 Wi-Fi 后上传" not in video_item.inner_text()  # on its way: the reason it waited is gone
    assert server_state(task_id, case_id) == ("open", "returned", ["photo"])
    holding["on"] = False
    for route in paused:
        route.continue_()
    sync_until(page, lambda: server_state(task_id, case_id)[0] == "answered", "the answer did not reach review after its video", timeout_s=90)
    assert server_state(task_id, case_id) == ("answered", "submitted", ["photo", "video"])
    poll(page, "(async () => (await (await import('/static/js/outbox.js')).entries()).some((e) => e.name === 'task.answer' && e.state === 'done'))()")
    assert page.evaluate(ANSWER_ENTRY)["result"]["result"]["evidence"] == media_ids

    # The supervisor's queue has the case back; its page shows the answer and the new photo.
    supervisor.goto(f"{live_server}/review/?q=退回甲")
    row = supervisor.locator(f"tr.queue-row[data-case='{case_id}']")
    row.wait_for()
    assert "待审核" in row.inner_text()
    supervisor.goto(f"{live_server}/review/cases/{case_id}")
    assert supervisor.locator("#decision-panel").get_attribute("data-status") == "submitted"
    assert ANSWER in supervisor.locator("#tasks [data-task-answer]").inner_text()
    photo = supervisor.locator("#evidence figure[data-kind=photo]")
    assert photo.count() == 1
    caption = photo.locator("figcaption").inner_text()
    assert "已校验" in caption and "退回后补充" in caption and REQUEST in caption
    photo.locator("img").scroll_into_view_if_needed()  # the thumbnail loads lazily
    supervisor.wait_for_function("() => { const img = document.querySelector('#evidence figure[data-kind=photo] img');"
                                 " return img.complete && img.naturalWidth > 0; }")
    assert supervisor.locator("#evidence figure[data-kind=video]").count() == 1

    # After the next pull the phone shows no open task.
    page.goto(f"{live_server}/field")
    field_ready(page)
    poll(page, f"""async () => {{ const {{ all }} = await import('/static/js/db.js');
        return (await all('records')).some(r => r.id === '{task_id}' && r.data.status === 'answered'); }}""")
    page.reload()
    field_ready(page)
    assert page.locator("[data-task-count]").inner_text() == "0"
    phone.close()
    desk.close()
