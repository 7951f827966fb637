"""A file the server refused as damaged on the way (hash_mismatch: it received something other than
what was declared), sent again from the outbox page
(重新上传), in Chromium: the phone ends its refused upload on the server (tus termination), as it
does for a file set aside, instead of leaving it there until it expires."""

from __future__ import annotations

import base64
import uuid

import pytest

from server.evidence.tables import Evidence
from server.uploads.tables import Upload
from tests.e2e.conftest import run
from tests.e2e.phone import capture_photo, field_ready, first_case_of, local_media, open_capture, photo_file, poll, ready, signed_in_phone

pytestmark = pytest.mark.e2e

STATUS_OF = "async (url) => (await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': '1.0.0' } })).status"


def test_sending_a_refused_file_again_ends_its_refused_upload_on_the_server(live_server, browser, demo, tmp_path):
    case_id = first_case_of("worker")
    context = signed_in_phone(browser, live_server)
    page = context.new_page()
    ready(page, live_server)

    changed: list[str] = []

    def change_declared_hash_once(route):
        # The first upload's metadata is changed on the way: the server finds the file it receives
        # is not the one declared (hash_mismatch), while the phone's copy is intact.
        metadata = route.request.headers.get("upload-metadata")
        if route.request.method == "POST" and metadata and not changed:
            pairs = dict(pair.split(" ", 1) for pair in metadata.split(","))
            changed.append(base64.b64decode(pairs["sha256"]).decode())
            pairs["sha256"] = base64.b64encode(b"0" * 64).decode()
            route.continue_(headers={**route.request.headers, "upload-metadata": ",".join(f"{k} {v}" for k, v in pairs.items())})
            return
        route.continue_()

    context.route("**/api/uploads/**", change_declared_hash_once)
    open_capture(page, live_server, case_id)
    capture_photo(page, photo_file(tmp_path / "kitchen.png", 1200, 900))
    poll(page, "async () => { const media = await (await import('/static/js/db.js')).all('media'); return media.length === 1 && media[0].state === 'failed'; }")
    [photo] = local_media(page)
    assert changed == [photo["sha256"]] and photo["code"] == "hash_mismatch"
    refused_id = uuid.UUID(photo["upload_url"].rstrip("/").rsplit("/", 1)[1])
    assert run(Upload.select(Upload.status).where(Upload.id == refused_id)) == [{"status": "refused"}]
    assert page.evaluate(STATUS_OF, photo["upload_url"]) == 410  # refused, kept with its reason until it expires

    page.goto(f"{live_server}/field/outbox")
    field_ready(page)
    page.locator("[data-local-media] li[data-state=failed] [data-act=reupload]").click()
    poll(page, "async () => (await (await import('/static/js/db.js')).all('media')).length === 0")

    # Sent again as a new upload and attached; the refused one is gone from the server.
    assert run(Evidence.select(Evidence.sha256).where(Evidence.case == uuid.UUID(case_id))) == [{"sha256": photo["sha256"]}]
    assert run(Upload.select(Upload.sha256, Upload.status)) == [{"sha256": photo["sha256"], "status": "complete"}]
    assert page.evaluate(STATUS_OF, photo["upload_url"]) == 404
    assert page.evaluate("import('/static/js/db.js').then(({ getMeta }) => getMeta('uploads-to-end', []))") == []
