"""Background Sync after a browser restart, in Chromium: the restart dropped the session cookie
`csrftoken`, the token a page kept in IndexedDB for the service worker no longer matches the cookie,
and the service worker syncs before any page of the app is opened. It asks the server for this
browser's token (GET /api/csrf-token), so that the visit and the photo saved offline reach the
server, each once, rather than every write being refused (403) until the worker opens the app."""

from __future__ import annotations

import uuid

import pytest

from server.evidence.tables import Evidence
from server.uploads.tables import Upload
from server.visits.tables import Visit
from tests.e2e.conftest import run
from tests.e2e.phone import capture_photo, field_ready, first_case_of, local_media, open_capture, photo_file, ready, record_visit, signed_in_phone, wait_until
from tests.e2e.test_background_sync_uploads import dispatch_sync

pytestmark = pytest.mark.e2e

STALE = "a-token-of-the-browser-session-before-the-restart"
# The token kept in IndexedDB, read in the service worker (which may not import() a module).
KEPT_TOKEN = """new Promise((done, fail) => {
  const open = indexedDB.open("doorstep");
  open.onerror = fail;
  open.onsuccess = () => { const get = open.result.transaction("meta").objectStore("meta").get("csrf"); get.onsuccess = () => done(get.result?.value); };
})"""


def test_background_sync_after_a_browser_restart_gets_a_token_and_sends_each_record_once(live_server, browser, demo, tmp_path):
    case_id = first_case_of("worker")
    context = signed_in_phone(browser, live_server)
    page = context.new_page()
    ready(page, live_server)

    # Offline in the field: a visit and a photo are kept on the phone.
    record_visit(page, live_server, case_id, "赵社工", offline=True)
    open_capture(page, live_server, case_id)
    capture_photo(page, photo_file(tmp_path / "door.png", 800, 600))
    [photo] = local_media(page)
    assert photo["state"] == "captured"

    restart_browser(context, page)

    # Back online, no page of the app open: the service worker's sync sends them.
    context.set_offline(False)
    blank = dispatch_sync(context, live_server)
    rows = wait_until(blank, lambda: run(Evidence.select(Evidence.case, Evidence.sha256)), "the photo attached to its case", timeout_s=30)
    assert rows == [{"case": uuid.UUID(case_id), "sha256": photo["sha256"]}]
    visits = wait_until(blank, lambda: run(Visit.select(Visit.case, Visit.investigator_2)), "the visit on the server", timeout_s=30)
    assert visits == [{"case": uuid.UUID(case_id), "investigator_2": "赵社工"}]

    # The server set a new cookie with the token it answered; the service worker kept that token.
    cookie = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
    [worker] = context.service_workers
    assert cookie != STALE and worker.evaluate(KEPT_TOKEN) == cookie

    # Nothing went twice, nor goes again when the app is opened: one visit, one upload, one attach.
    reopened = context.new_page()
    reopened.goto(f"{live_server}/field")
    field_ready(reopened)
    assert local_media(reopened) == []
    assert len(run(Visit.select(Visit.id))) == 1 and len(run(Upload.select(Upload.id))) == 1
    assert len(run(Evidence.select(Evidence.id))) == 1


def test_write_refused_for_a_stale_token_asks_for_the_token_once_and_goes_again(live_server, browser, demo):
    """The service worker could not ask for the token before its sync (the answer was lost on the
    way): it syncs with the stale one, and its push, refused (403), gets the token and goes again."""
    case_id = first_case_of("worker")
    context = signed_in_phone(browser, live_server)
    page = context.new_page()
    ready(page, live_server)
    record_visit(page, live_server, case_id, "赵社工", offline=True)
    restart_browser(context, page)
    calls = []

    def lose_the_first_answer(route):
        calls.append("token" if calls else "token lost")
        route.continue_() if len(calls) > 1 else route.abort()

    def sync_api(route):
        answer = route.fetch()
        calls.append(f"{'push' if '/push' in route.request.url else 'pull'} {answer.status}")
        route.fulfill(response=answer)

    context.route("**/api/csrf-token", lose_the_first_answer)
    context.route("**/api/sync/**", sync_api)
    context.set_offline(False)
    blank = dispatch_sync(context, live_server)
    # The phone hears the push's answer after the server has committed the visit: wait for that.
    wait_until(blank, lambda: "push 200" in calls, "a push that went through", timeout_s=30)
    context.unroute_all(behavior="wait")
    # In the same sync (a new one would pull first): the push refused, the token, the push again.
    assert calls[:5] == ["token lost", "pull 200", "push 403", "token", "push 200"]
    assert run(Visit.select(Visit.case, Visit.investigator_2)) == [{"case": uuid.UUID(case_id), "investigator_2": "赵社工"}]


def restart_browser(context, page) -> None:
    """The browser restarts: the session cookie "csrftoken" is gone (the field session's cookie
    outlives it), and the token kept for the service worker is the last session's."""
    page.evaluate(f"import('/static/js/db.js').then((db) => db.setMeta('csrf', '{STALE}'))")
    page.close()
    context.clear_cookies(name="csrftoken")
    assert [c["name"] for c in context.cookies()] == ["doorstep_session"]
    assert run(Visit.select(Visit.id)) == [] and run(Upload.select(Upload.id)) == []
