"""data-field-ready in Chromium: the mark says that the page on screen is wired by field.js (its
links point at the case, its capture box listens), for people who tap fast and for the tests
that wait for it; and a file picked before the page was wired (a slow phone) is kept.

The races are made deterministic, not left to timing: a boosted page's htmx:afterSettle (when
field.js enhances it) is held until the test lets it go; the phone's storage is kept busy by a
long IndexedDB transaction, so that a page's enhance waits half-way; the capture module's
download is held, so that the page is on screen before its script runs. Service workers are
blocked, so that Playwright's routing sees the module requests."""

from __future__ import annotations

import pytest

from tests.e2e.phone import capture_photo, evidence_of, field_ready, first_case_of, photo_file, signed_in_phone, sync_until, video_file, wait_until

pytestmark = pytest.mark.e2e

# Holds htmx:afterSettle (field.js enhances a boosted page then) while `hold` is set; `release()`
# sends the held ones on. Registered before field.js's own listener, so it can stop the event.
HOLD_SETTLE = """(() => {
  const settle = window.__settle = { hold: false, held: [], passed: 0,
    release() { this.hold = false; for (const detail of this.held.splice(0)) document.dispatchEvent(new CustomEvent("htmx:afterSettle", { detail })); } };
  document.addEventListener("htmx:afterSettle", (event) => {
    if (!settle.hold) { settle.passed += 1; return; }
    event.stopImmediatePropagation();
    settle.held.push(event.detail);
  });
})();"""

# A transaction over every store of the phone's database that lasts until the test ends it:
# every read the app starts meanwhile waits (a busy, slow phone).
BUSY_STORAGE = """async () => {
  const { getDB } = await import('/static/js/db.js');
  const db = await getDB();
  const store = db.transaction([...db.objectStoreNames], 'readwrite').objectStore('meta');
  window.__storage = { busy: true };
  const spin = () => { if (window.__storage.busy) store.get('busy').onsuccess = spin; };
  spin();
}"""


@pytest.fixture
def phone(live_server, browser, demo):
    """The worker's phone, signed in, with the test's hold on htmx:afterSettle; no service worker."""
    context = signed_in_phone(browser, live_server, service_workers="block")
    context.add_init_script(HOLD_SETTLE)
    try:
        yield context
    finally:
        context.close()


def back_to_case(page) -> str:
    """Where the capture page's 返回案件 goes: the page's script points it at the case."""
    return page.get_by_role("link", name="返回案件").get_attribute("href")


def assert_not_wired_nor_marked(page) -> None:
    assert back_to_case(page) == "/field"
    assert not page.evaluate("document.documentElement.hasAttribute('data-field-ready')")


def wired_once_let_go(page, case_id: str, tmp_path) -> None:
    """The capture page's enhance runs: the page is marked ready, 返回案件 goes to the case, a photo is saved."""
    page.evaluate("window.__settle.release()")
    field_ready(page)
    assert back_to_case(page) == f"/field/cases/{case_id}"
    capture_photo(page, photo_file(tmp_path / "kitchen.png", 800, 600))


def test_page_opened_by_a_tap_is_marked_ready_only_once_its_script_has_wired_it(live_server, phone, tmp_path):
    case_id = first_case_of("worker")
    page = phone.new_page()
    page.goto(f"{live_server}/field/cases/{case_id}")
    field_ready(page)

    page.evaluate("window.__settle.hold = true")  # the capture page comes; its script has not run yet
    page.click("text=采集证据")
    page.wait_for_function("window.__settle.held.length === 1")
    assert page.locator("[data-capture]:not([data-enhanced])").count() == 1
    assert_not_wired_nor_marked(page)  # the case page's mark went with it
    wired_once_let_go(page, case_id, tmp_path)


def test_page_left_while_its_script_ran_does_not_mark_the_next_page_ready(live_server, phone, tmp_path):
    case_id = first_case_of("worker")
    page = phone.new_page()
    page.goto(f"{live_server}/field")
    field_ready(page)

    page.evaluate(BUSY_STORAGE)  # the case page's script will wait for the phone's storage
    page.evaluate("window.__settle.passed = 0")
    page.click(f"a[href='/field/cases/{case_id}']")
    page.wait_for_function("window.__settle.passed === 1")  # the case page's enhance has begun
    page.evaluate("window.__settle.hold = true")
    page.click("text=采集证据")  # the worker goes on before the case page is wired
    page.wait_for_function("window.__settle.held.length === 1")

    # The case page's enhance finishes (it wires what is on screen); the capture page's own has
    # not begun: its 返回案件 still goes to the caseload, and the page is not marked ready.
    page.evaluate("window.__storage.busy = false")
    page.locator("[data-capture][data-enhanced]").wait_for(state="attached")
    page.evaluate("new Promise((done) => setTimeout(done, 200))")
    assert_not_wired_nor_marked(page)
    wired_once_let_go(page, case_id, tmp_path)


def test_photo_and_video_picked_before_the_page_is_wired_are_kept(live_server, phone, tmp_path):
    case_id = first_case_of("worker")
    page = phone.new_page()
    loading: list = []
    page.route("**/static/js/capture.js", lambda route: loading.append(route))  # a slow phone: the page's script is still loading
    page.goto(f"{live_server}/field/capture?case={case_id}", wait_until="commit")
    page.locator("[data-capture-video]").wait_for(state="attached")
    wait_until(page, lambda: loading, "the page did not ask for capture.js", every_ms=100)
    page.set_input_files("[data-capture-photo]", photo_file(tmp_path / "kitchen.png", 1200, 900))
    page.set_input_files("[data-capture-video]", video_file(tmp_path / "kitchen.mp4", 300_000))
    assert not page.evaluate("document.documentElement.hasAttribute('data-field-ready')")

    loading[0].continue_()
    field_ready(page)
    sync_until(page, lambda: sorted(e["kind"] for e in evidence_of(case_id)) == ["photo", "video"],
               "the files picked before the page was wired did not arrive", timeout_s=30)
