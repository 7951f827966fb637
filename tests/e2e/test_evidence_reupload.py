"""A photo uploaded, then left unattached on the server past DOORSTEP_UNATTACHED_UPLOAD_DAYS while
the phone was away: the server removed the upload and its file, and rejects the late
`evidence.attach` (code upload_missing). The phone still holds the photo: it uploads it again, as
a new tus upload, and attaches it again, so the evidence reaches the case with nobody's help."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from server.evidence.tables import Evidence
from server.uploads.tables import Upload
from server.uploads.unattached import remove_unattached_uploads
from tests.e2e.conftest import run
from tests.e2e.test_return_task import field_ready, kitchen_photo, poll, worker_phone
from tests.support.review_cases import make_case

pytestmark = pytest.mark.e2e

DEVICE = """async () => { const { all } = await import('/static/js/db.js');
    return { media: (await all('media')).map(({ blob, ...m }) => m),
             outbox: (await all('outbox')).filter((e) => e.name === 'evidence.attach').map(({ state, reason, result }) => ({ state, reason, result })) }; }"""


def test_attach_rejected_after_the_upload_was_cleaned_up_uploads_the_photo_again(live_server, browser, demo, tmp_path):
    case_id = run(make_case(name="清理甲", status="draft"))["case_id"]
    phone = worker_phone(browser, live_server)
    page = phone.new_page()
    page.goto(f"{live_server}/field")
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20000)
    poll(page, "(async () => Boolean(await (await import('/static/js/db.js')).getMeta('last_sync')))()")

    # The photo uploads, but the push of its attach does not get through (the phone goes away).
    pushes = []
    phone.route("**/api/sync/push", lambda route: (pushes.append(1), route.fulfill(status=503, body="{}", content_type="application/json")))
    page.goto(f"{live_server}/field/capture?case={case_id}")
    field_ready(page)
    page.set_input_files("[data-capture-photo]", kitchen_photo(tmp_path))
    page.wait_for_selector("text=照片已保存")
    poll(page, f"({DEVICE})().then((d) => d.media.length === 1 && d.media[0].state === 'uploaded' && d.outbox.length === 1)")
    assert pushes, "the attach was pushed and refused by the network"
    first = run(Upload.select(Upload.id, Upload.sha256).where(Upload.status == "complete"))
    assert len(first) == 1

    # Thirty-one days later the server removes the upload its owner never attached, with its file.
    run(Upload.update({Upload.completed_at: datetime.now(timezone.utc) - timedelta(days=31)}).where(Upload.id == first[0]["id"]))
    assert run(remove_unattached_uploads()) == (1, 1)

    phone.unroute("**/api/sync/push")
    page.click("[data-sync-now]")
    evidence = poll(page, f"""async () => {{ const d = await ({DEVICE})();
        return d.media.length === 0 && d.outbox.some((e) => e.state === 'done') ? d : null; }}""", timeout_s=60)

    rows = run(Evidence.select(Evidence.sha256, Evidence.kind).where(Evidence.case == uuid.UUID(case_id)))
    assert rows == [{"sha256": first[0]["sha256"], "kind": "photo"}]
    again = run(Upload.select(Upload.id, Upload.sha256).where(Upload.status == "complete"))
    assert len(again) == 1 and again[0]["id"] != first[0]["id"] and again[0]["sha256"] == first[0]["sha256"]  # a new tus upload
    # The refused attach stepped aside for the new one; the phone kept nothing of the photo.
    states = sorted(e["state"] for e in evidence["outbox"])
    assert states == ["discarded", "done"]
    refused = next(e for e in evidence["outbox"] if e["state"] == "discarded")
    assert refused["result"]["details"] == {"code": "upload_missing"} and refused["result"]["field"] == "sha256"
    assert page.evaluate(f"({DEVICE})().then((d) => d.outbox.filter((e) => e.state === 'rejected').length)") == 0
