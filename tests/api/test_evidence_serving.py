"""Serving evidence: whole files, byte ranges for seeking, thumbnails; scope; the audit log."""

from __future__ import annotations

import io

from PIL import Image

from server.audit.tables import AuditEvent
from tests.support.auth import sign_in
from tests.support.media import attach, attach_args, case_in, clean_media  # noqa: F401
from tests.support.media import jpeg, media_files, mp4, upload


async def _evidence(client, data: bytes, kind: str, community: str = "440106004001") -> str:
    await upload(client, data)
    args = attach_args(await case_in(community), data, kind=kind)
    return (await attach(client, args))["evidence_id"]


async def _views(evidence_id: str) -> list[dict]:
    return await AuditEvent.select(AuditEvent.action, AuditEvent.detail, AuditEvent.actor_name).where(
        (AuditEvent.target_type == "evidence") & (AuditEvent.target_id == evidence_id)
    ).order_by(AuditEvent.id).output(load_json=True)


async def test_content_is_served_whole_with_its_type_and_range_support(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    evidence_id = await _evidence(client, data, "video")
    response = await client.get(f"/api/evidence/{evidence_id}/content")
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"].startswith("video/mp4")
    assert response.headers["accept-ranges"] == "bytes"
    assert response.headers["content-length"] == str(len(data))
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_range_request_answers_206_with_content_range(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    evidence_id = await _evidence(client, data, "video")
    url = f"/api/evidence/{evidence_id}/content"
    middle = await client.get(url, headers={"Range": "bytes=1000-1999"})
    assert middle.status_code == 206
    assert middle.content == data[1000:2000]
    assert middle.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    assert middle.headers["content-length"] == "1000"
    tail = await client.get(url, headers={"Range": "bytes=-500"})
    assert tail.status_code == 206 and tail.content == data[-500:]
    rest = await client.get(url, headers={"Range": f"bytes={len(data) - 10}-"})
    assert rest.status_code == 206 and rest.content == data[-10:]
    beyond_end = await client.get(url, headers={"Range": f"bytes=0-{len(data) * 2}"})
    assert beyond_end.status_code == 206 and beyond_end.content == data


async def test_unsatisfiable_range_is_416_with_the_size(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    evidence_id = await _evidence(client, data, "video")
    url = f"/api/evidence/{evidence_id}/content"
    for header in (f"bytes={len(data)}-", "bytes=500-100", "bytes=abc", "bytes=-0"):
        response = await client.get(url, headers={"Range": header})
        assert response.status_code == 416, header
        assert response.headers["content-range"] == f"bytes */{len(data)}"


async def test_evidence_out_of_scope_is_404_and_in_scope_for_the_supervisor(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    evidence_id = await _evidence(client, data, "photo")
    await sign_in(client, "worker2")  # the next community
    assert (await client.get(f"/api/evidence/{evidence_id}/content")).status_code == 404
    assert (await client.get(f"/api/evidence/{evidence_id}/thumbnail")).status_code == 404
    await sign_in(client, "worker3")  # another district
    assert (await client.get(f"/api/evidence/{evidence_id}/content")).status_code == 404
    await sign_in(client, "supervisor")  # the street of the worker's community
    response = await client.get(f"/api/evidence/{evidence_id}/content")
    assert response.status_code == 200 and response.content == data


async def test_evidence_needs_a_session(client, demo):
    await sign_in(client, "worker")
    evidence_id = await _evidence(client, jpeg(), "photo")
    client.cookies.clear()
    assert (await client.get(f"/api/evidence/{evidence_id}/content")).status_code == 401


async def test_every_view_is_written_to_the_audit_log(client, demo):
    await sign_in(client, "worker")
    evidence_id = await _evidence(client, mp4(), "video")
    await sign_in(client, "supervisor")
    await client.get(f"/api/evidence/{evidence_id}/content")
    await client.get(f"/api/evidence/{evidence_id}/content", headers={"Range": "bytes=0-99"})
    await sign_in(client, "worker2")
    await client.get(f"/api/evidence/{evidence_id}/content")  # refused: not a view
    views = await _views(evidence_id)
    assert [v["action"] for v in views] == ["evidence.view", "evidence.view"]
    assert {v["actor_name"] for v in views} == {"林审核"}
    assert views[0]["detail"] == {"part": "content", "range": None}
    assert views[1]["detail"] == {"part": "content", "range": "0-99"}


async def test_photo_thumbnail_is_small_upright_and_cached_on_disk(client, demo):
    await sign_in(client, "worker")
    evidence_id = await _evidence(client, jpeg(1600, 900), "photo")
    response = await client.get(f"/api/evidence/{evidence_id}/thumbnail")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(response.content)) as image:
        assert max(image.size) == 320
        assert image.size == (320, 180)
    cached = media_files("thumbs")
    assert len(cached) == 1
    again = await client.get(f"/api/evidence/{evidence_id}/thumbnail")
    assert again.content == response.content
    assert media_files("thumbs") == cached
    assert [v["detail"]["part"] for v in await _views(evidence_id)] == ["thumbnail", "thumbnail"]


async def test_video_has_no_thumbnail(client, demo):
    await sign_in(client, "worker")
    evidence_id = await _evidence(client, mp4(), "video")
    response = await client.get(f"/api/evidence/{evidence_id}/thumbnail")
    assert response.status_code == 404
    assert "缩略图" in response.json()["reason"]
