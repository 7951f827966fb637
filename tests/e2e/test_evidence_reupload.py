"""A photo uploaded, then left unattached on the server past DOORSTEP_UNATTACHED_UPLOAD_DAYS while
the phone was away: the server removed the upload and its file, and rejects the late
`evidence.attach` (code upload_missing). The phone still holds the photo: it uploads it again, as
a new tus upload, and attaches it again, so the evidence reaches the case with nobody's help."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from server.evidence.tables import Evidence
from server.uploads.tables import Upload
from server.uploads.unattached import remove_unattached_uploads
from tests.e2e.conftest import run
from tests.e2e.phone import capture_photo, kitchen_photo, open_capture, poll, ready, signed_in_phone, sync_once, sync_until
from tests.support.review_cases import make_case

pytestmark = pytest.mark.e2e

DEVICE = """async () => { const { all } = await import('/static/js/db.js');
    return { media: (await all('media')).map(({ blob, ...m }) => m),
             outbox: (await all('outbox')).filter((e) => e.name === 'evidence.attach').map(({ state, reason, result }) => ({ state, reason, result })) }; }"""


def worker_with_a_case(browser, base: str, name: str):
    """The worker's phone, synced once, and a draft case of theirs: (context, page, case id)."""
    case_id = run(make_case(name=name, status="draft"))["case_id"]
    phone = signed_in_phone(browser, base)
    page = phone.new_page()
    ready(page, base)
    return phone, page, case_id


def test_attach_rejected_after_the_upload_was_cleaned_up_uploads_the_photo_again(live_server, browser, demo, tmp_path):
    phone, page, case_id = worker_with_a_case(browser, live_server, "清理甲")

    # The photo uploads, but the push of its attach does not get through (the phone goes away).
    pushes = []
    phone.route("**/api/sync/push", lambda route: (pushes.append(1), route.fulfill(status=503, body="{}", content_type="application/json")))
    open_capture(page, live_server, case_id)
    capture_photo(page, kitchen_photo(tmp_path))
    poll(page, f"({DEVICE})().then((d) => d.media.length === 1 && d.media[0].state === 'uploaded' && d.outbox.length === 1)")
    # The upload's end is seen before the sync that made it has pushed: wait until that sync failed.
    poll(page, "import('/static/js/db.js').then(({ getMeta }) => getMeta('last_error'))")
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


def test_phone_gives_up_uploading_again_after_two_rounds_and_keeps_the_rejection_visible(live_server, browser, demo, tmp_path):
    """A server that keeps answering upload_missing (whatever the reason) does not make the phone
    upload the same file for ever: after two new uploads the file counts as refused."""
    phone, page, case_id = worker_with_a_case(browser, live_server, "清理乙")

    attaches = []

    def refuse_every_attach(route):
        sent = json.loads(route.request.post_data)["mutations"]
        attaches.extend(m["args"]["id"] for m in sent if m["name"] == "evidence.attach")
        results = [{"id": m["id"], "status": "rejected", "reason": "服务器上没有您上传并校验通过的这个文件（sha256），请重新上传。",
                    "field": "sha256", "details": {"code": "upload_missing"}} for m in sent]
        route.fulfill(status=200, content_type="application/json", body=json.dumps({"last_mutation_id": max(m["id"] for m in sent), "results": results}))

    phone.route("**/api/sync/push", refuse_every_attach)
    open_capture(page, live_server, case_id)
    capture_photo(page, kitchen_photo(tmp_path))
    sync_until(page, lambda: page.evaluate(f"({DEVICE})().then((d) => d.media.length === 1 && d.media[0].state === 'failed')"),
               lambda: page.evaluate(DEVICE))
    assert sync_once(page)  # one more sync changes nothing

    device = page.evaluate(DEVICE)
    assert len(attaches) == 3 and len(set(attaches)) == 1  # the same evidence id, three times
    assert sorted(e["state"] for e in device["outbox"]) == ["discarded", "discarded", "rejected"]
    assert device["media"][0]["reuploads"] == 2 and "请重新上传" in device["media"][0]["reason"]
    assert len(run(Upload.select(Upload.id).where(Upload.status == "complete"))) == 3  # the first upload and two new ones
