"""Return for more evidence, the whole loop in Chromium: the supervisor returns a case with a
request; the worker's phone syncs and shows the task, goes offline, photographs what was asked
for and answers; back online it syncs; the supervisor sees the case back in review with the
answer and the new, verified photo."""

from __future__ import annotations

import io
import time
import uuid

import pytest
from PIL import Image

from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import User
from server.cases.tables import Case
from server.evidence.tables import Evidence
from server.review.tables import Task
from tests.e2e.conftest import run
from tests.e2e.test_review import signed_in_context
from tests.support.browser import phone_context
from tests.support.review_cases import make_case

pytestmark = pytest.mark.e2e

REQUEST = "请补充: 厨房照片"
ANSWER = "已补充厨房照片，灶台和冰箱都拍了"


def poll(page, script: str, timeout_s: float = 60):
    deadline = time.monotonic() + timeout_s
    while not (answer := page.evaluate(script)):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_s}s: {script}")
        page.wait_for_timeout(250)
    return answer


def field_ready(page) -> None:
    page.wait_for_selector("html[data-field-ready]", state="attached")


def kitchen_photo(tmp_path) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), (200, 160, 90)).save(buffer, "PNG")
    path = tmp_path / "kitchen.png"
    path.write_bytes(buffer.getvalue())
    return str(path)


def worker_phone(browser, base: str):
    user = run(User.select(User.id).where(User.username == "worker").first())
    context = phone_context(browser, timezone_id="Asia/Shanghai")
    context.add_cookies([{"name": COOKIE_NAME, "value": run(create_session(user["id"])), "url": base, "httpOnly": True}])
    return context


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

    phone = worker_phone(browser, live_server)
    page = phone.new_page()
    page.goto(f"{live_server}/field")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20000)
    # The first sync pulled the task and cached its page and the task list for offline use.
    poll(page, f"""async () => {{ const {{ all, getMeta }} = await import('/static/js/db.js');
        const c = await caches.open('doorstep-pages');
        return Boolean(await getMeta('last_sync'))
            && (await all('records')).some(r => r.type === 'task' && r.id === '{task_id}' && r.data.status === 'open')
            && Boolean(await c.match('/field/tasks') && await c.match('/field/tasks/{task_id}')); }}""")
    page.reload()
    field_ready(page)
    assert page.locator("[data-task-count]").inner_text() == "1"
    # The returned case's own page says what is asked for, and links to the task.
    page.goto(f"{live_server}/field/cases/{case_id}")
    field_ready(page)
    request_link = page.locator(f"[data-case-tasks] a[href='/field/tasks/{task_id}']")
    request_link.wait_for()
    assert REQUEST in request_link.inner_text()
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
    page.set_input_files("[data-capture-photo]", kitchen_photo(tmp_path))
    page.wait_for_selector("text=照片已保存")
    page.wait_for_selector("[data-local-media] [data-slot=kind]:has-text('照片')")
    for target in ("label[for=e-photo]", "[data-task-answer] button[type=submit]"):
        box = page.locator(target).bounding_box()
        assert box["height"] >= 44 and box["width"] <= 360, (target, box)
    page.fill("#t-answer", ANSWER)
    page.click("[data-task-answer] button[type=submit]")
    page.wait_for_url("**/field/tasks")
    field_ready(page)
    poll(page, f"document.querySelector(\"[data-task-id='{task_id}'] [data-task-state]\").textContent.includes('待同步')")
    assert page.locator("[data-task-count]").inner_text() == "0"
    # Nothing has left the phone: the task is still open and the case still returned.
    assert run(Task.select(Task.status).where(Task.id == uuid.UUID(task_id)).first())["status"] == "open"
    assert run(Evidence.count().where(Evidence.case == uuid.UUID(case_id))) == 0
    # Opening the task again (from the cache) shows it answered here, without the form.
    page.goto(f"{live_server}/field/tasks/{task_id}")
    field_ready(page)
    poll(page, "!document.querySelector('[data-task-answered-here]').hidden")
    assert page.locator("[data-task-open]").is_hidden()

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    deadline = time.monotonic() + 90
    while run(Task.select(Task.status).where(Task.id == uuid.UUID(task_id)).first())["status"] != "answered" or not run(
        Evidence.count().where(Evidence.case == uuid.UUID(case_id))
    ):
        assert time.monotonic() < deadline, "the answer and the photo did not reach the server"
        page.click("[data-sync-now]")
        page.wait_for_timeout(1000)
    assert run(Case.select(Case.status).where(Case.id == uuid.UUID(case_id)).first())["status"] == "submitted"

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
