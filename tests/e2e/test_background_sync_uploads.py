"""Background Sync carries the evidence too, in Chromium: a photo captured offline, the app closed,
and the service worker's sync (the `doorstep-sync` event, as Chrome sends it once the connection
is back) uploads the photo and attaches it to its case, exactly once, with no page open."""

from __future__ import annotations

import uuid

import pytest

from server.evidence.tables import Evidence
from server.uploads.tables import Upload
from tests.e2e.conftest import run
from tests.e2e.phone import capture_photo, field_ready, first_case_of, local_media, open_capture, photo_file, ready, signed_in_phone, wait_until

pytestmark = pytest.mark.e2e

SYNC_TAG = "doorstep-sync"
# The Background Sync tags a page asks for (Chrome may fire a sync at once, and forget its tag).
RECORD_SYNC_TAGS = """if (self.SyncManager) {
  const register = SyncManager.prototype.register;
  SyncManager.prototype.register = function (tag) { (self.syncTagsAsked ??= []).push(tag); return register.call(this, tag); };
}"""


def dispatch_sync(context, base: str):
    """Send the service worker the sync event Chrome sends it once the connection is back (from a
    blank page: no page of the app is open); answers that page."""
    blank = context.new_page()
    cdp = context.new_cdp_session(blank)
    registrations: dict[str, str] = {}
    cdp.on("ServiceWorker.workerRegistrationUpdated",
           lambda event: registrations.update({r["scopeURL"]: r["registrationId"] for r in event["registrations"] if not r["isDeleted"]}))
    cdp.send("ServiceWorker.enable")
    registration = wait_until(blank, lambda: registrations.get(f"{base}/"), "the service worker's registration")
    cdp.send("ServiceWorker.dispatchSyncEvent", {"origin": base, "registrationId": registration, "tag": SYNC_TAG, "lastChance": False})
    return blank


def test_background_sync_with_the_app_closed_uploads_the_photo_and_attaches_it_once(live_server, browser, demo, tmp_path):
    case_id = first_case_of("worker")
    context = signed_in_phone(browser, live_server)
    context.add_init_script(RECORD_SYNC_TAGS)
    page = context.new_page()
    ready(page, live_server)
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => 'sync' in r)")  # Chromium has Background Sync

    # Offline in the field: the photo is kept on the phone, and the app is closed.
    context.set_offline(True)
    open_capture(page, live_server, case_id)
    capture_photo(page, photo_file(tmp_path / "door.png", 1600, 1200))
    [photo] = local_media(page)
    assert photo["state"] == "captured"
    page.wait_for_function(f"(self.syncTagsAsked || []).includes('{SYNC_TAG}')")  # the capture asked for a Background Sync
    page.close()
    assert run(Upload.select(Upload.id)) == [] and evidence() == []

    # Back online, with no page of the app open: Chrome sends the service worker its sync event.
    context.set_offline(False)
    blank = dispatch_sync(context, live_server)
    rows = wait_until(blank, evidence, "the photo attached to its case")
    assert rows == [{"case": uuid.UUID(case_id), "sha256": photo["sha256"], "kind": "photo"}]
    assert [u["sha256"] for u in run(Upload.select(Upload.sha256))] == [photo["sha256"]]  # one upload, not two

    # The phone let the photo go once its attach was acknowledged; nothing went twice.
    reopened = context.new_page()
    reopened.goto(f"{live_server}/field")
    field_ready(reopened)
    assert local_media(reopened) == []
    assert evidence() == rows and len(run(Upload.select(Upload.id))) == 1


def evidence() -> list[dict]:
    return run(Evidence.select(Evidence.case, Evidence.sha256, Evidence.kind))
