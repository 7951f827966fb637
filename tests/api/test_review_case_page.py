"""The supervisor's case page: members, evidence viewer with hashes, history, conflicts."""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime, timezone

from server.evidence.tables import Evidence
from server.uploads.tables import Blob
from sync.tables import SyncConflict
from tests.api.test_review_decisions import decide
from tests.support.auth import sign_in
from tests.support.review_cases import make_case


async def add_evidence(case_id: str, kind: str, *, verified: bool, device: str = "Pixel 7 · Chrome") -> str:
    sha = hashlib.sha256(f"{kind}{uuid.uuid4()}".encode()).hexdigest()
    now = datetime.now(timezone.utc)
    if verified:
        await Blob.insert(Blob(sha256=sha, size=10, mime="image/jpeg", kind=kind, created_at=now))
    evidence_id = uuid.uuid4()
    await Evidence.insert(Evidence(id=evidence_id, case=uuid.UUID(case_id), sha256=sha, kind=kind, mime="image/jpeg", size=10,
                                   captured_at=datetime(2026, 5, 23, 1, 14, tzinfo=timezone.utc), device=device, attached_at=now))
    return str(evidence_id), sha


async def test_case_page_shows_evidence_with_hash_capture_time_device_and_verified_mark(client, demo):
    made = await make_case()
    photo_id, photo_sha = await add_evidence(made["case_id"], "photo", verified=True)
    video_id, video_sha = await add_evidence(made["case_id"], "video", verified=False, device="iPhone 12 · Safari")
    await sign_in(client, "supervisor", kind="desktop")
    page = (await client.get(f"/review/cases/{made['case_id']}")).text
    assert photo_sha in page and video_sha in page
    assert f'src="/api/evidence/{photo_id}/thumbnail"' in page and f'href="/api/evidence/{photo_id}/content"' in page
    assert f'<video controls preload="metadata" src="/api/evidence/{video_id}/content">' in page
    assert "2026-05-23 01:14" in page and "iPhone 12 · Safari" in page
    photo = page[page.index(f'data-evidence="{photo_id}"'):]
    video = page[page.index(f'data-evidence="{video_id}"'):]
    assert "已校验" in photo[: photo.index("</figure>")]
    assert "未校验" in video[: video.index("</figure>")]


async def test_case_page_history_lists_decisions(client, demo):
    made = await make_case()
    await sign_in(client, "supervisor", kind="desktop")
    await decide(client, made["case_id"], "return", request="请补充: 厨房照片")
    page = (await client.get(f"/review/cases/{made['case_id']}")).text
    history = page[page.index('id="history"'):]
    assert "case.return" in history and "请补充: 厨房照片" in history


async def test_open_conflict_is_shown_and_resolved_from_case_page(client, demo):
    made = await make_case()
    conflict_id = str(uuid.uuid4())
    await SyncConflict.insert(SyncConflict(
        conflict_id=conflict_id, kind="case", record_id=made["case_id"], area_path="440100/440106/440106004/440106004001/",
        fields={"notes": {"server": "服务器备注", "device": "设备备注"}}, base_version=1, server_version=2, status="open",
        client_id="c1", mutation_id=3, user_id=1, created_at=datetime.now(timezone.utc),
    ))
    await sign_in(client, "supervisor", kind="desktop")
    queue = (await client.get("/api/review/queue", params={"conflicts": "1"})).json()
    assert [c["id"] for c in queue["cases"]] == [made["case_id"]]
    page = (await client.get(f"/review/cases/{made['case_id']}")).text
    assert "设备备注" in page and f'data-conflict="{conflict_id}"' in page
    response = await client.post(f"/review/cases/{made['case_id']}/conflicts/{conflict_id}/resolve",
                                 data={"choice_notes": "server"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "冲突已处理" in response.text
    row = await SyncConflict.select(SyncConflict.status).where(SyncConflict.conflict_id == conflict_id).first()
    assert row["status"] == "resolved"
    assert (await client.get("/api/review/queue", params={"conflicts": "1"})).json()["cases"] == []


async def test_every_demo_case_in_scope_renders_with_its_eligibility(client, demo):
    await sign_in(client, "supervisor", kind="desktop")
    body = (await client.get("/api/review/queue", params={"status": "", "limit": "200"})).json()
    assert body["cases"]
    computed = 0
    for case in body["cases"]:
        page = await client.get(f"/review/cases/{case['id']}")
        assert page.status_code == 200, (case["id"], page.text[:300])
        computed += 'data-outcome="' in page.text
        outcome = re.search(r'data-outcome="(\w+)">([^<]*)<', page.text)
        if outcome:  # the conclusion in words, not the code
            assert outcome.group(2) in {"符合条件", "不符合条件", "资料不完整", "不适用测算"}, outcome.groups()
    assert computed > 0  # the demo's standards let the casework engine compute
