"""A finished upload is kept only when its bytes match the declared SHA-256, are of an allowed
type and within the kind's limit; identical content is stored once; unfinished uploads expire."""

from __future__ import annotations

import os
from datetime import timedelta

from server.clock import now
from server.uploads.janitor import cleanup_expired_uploads
from server.uploads.tables import Blob, Upload
from tests.support.auth import sign_in
from tests.support.media import TUS, clean_media  # noqa: F401
from tests.support.media import create, jpeg, media_files, mp4, ogg, pdf, send, sha256, upload


async def test_finished_upload_matching_its_hash_is_stored_by_content(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    url, last = await upload(client, data, chunk_size=4000)
    assert last.status_code == 204
    assert last.headers["upload-offset"] == str(len(data))
    blobs = media_files("blobs")
    assert [p.name for p in blobs] == [sha256(data)]
    assert blobs[0].read_bytes() == data
    assert media_files("uploads") == []
    blob = await Blob.select().first()
    assert (blob["mime"], blob["kind"], blob["size"]) == ("image/jpeg", "photo", len(data))
    head = await client.head(url, headers=TUS)
    assert head.headers["upload-offset"] == str(len(data))
    assert "upload-expires" not in head.headers


async def test_whole_file_hash_mismatch_is_refused_and_the_bytes_discarded(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    created = await create(client, data, digest=sha256(b"something else"))
    url = created.headers["location"]
    response = await send(client, url, 0, data)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "hash_mismatch"
    assert "SHA-256" in body["reason"]
    assert media_files("uploads") == [] and media_files("blobs") == []
    head = await client.head(url, headers=TUS)
    assert head.status_code == 410
    assert await Blob.count() == 0


async def test_wrong_magic_bytes_are_refused_with_a_clear_reason(client, demo):
    await sign_in(client, "worker")
    data = b"MZ\x90\x00" + os.urandom(5000)  # a Windows executable, declared as a photo
    created = await create(client, data, filetype="image/jpeg")
    response = await send(client, created.headers["location"], 0, data)
    assert response.status_code == 422
    assert response.json()["error"] == "unsupported_type"
    assert "不支持的文件类型" in response.json()["reason"]
    assert media_files("blobs") == [] and media_files("uploads") == []


async def test_type_is_decided_from_bytes_not_from_the_declared_type(client, demo):
    await sign_in(client, "worker")
    data = pdf()
    created = await create(client, data, filetype="image/jpeg")
    response = await send(client, created.headers["location"], 0, data)
    assert response.status_code == 204
    blob = await Blob.select().first()
    assert (blob["mime"], blob["kind"]) == ("application/pdf", "document")


async def test_declared_length_over_the_limit_is_413_with_nothing_stored(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    response = await create(client, data, filetype="image/jpeg", length=26 * 1024 * 1024)
    assert response.status_code == 413
    assert "上限" in response.json()["reason"]
    assert await Upload.count() == 0
    assert media_files("uploads") == []
    video = await create(client, data, filetype="video/mp4", length=3 * 1024 * 1024 * 1024)
    assert video.status_code == 413


async def test_over_the_limit_of_the_detected_kind_is_413_at_completion(client, demo, monkeypatch):
    """A photo declared as a video gets the photo limit once its bytes show it is a photo."""
    from dataclasses import replace

    from server.settings import MediaSettings, get_settings

    await sign_in(client, "worker")
    data = jpeg()
    limited = replace(get_settings(), media=MediaSettings(max_photo_bytes=len(data) - 1))
    monkeypatch.setattr("server.uploads.completion.get_settings", lambda: limited)
    created = await create(client, data, filetype="video/mp4")
    assert created.status_code == 201
    response = await send(client, created.headers["location"], 0, data)
    assert response.status_code == 413
    assert media_files("blobs") == []


async def test_identical_content_is_stored_once_and_both_uploads_complete(client, demo):
    await sign_in(client, "worker")
    data = ogg()
    first_url, first = await upload(client, data)
    await sign_in(client, "worker2")
    second_url, second = await upload(client, data, chunk_size=10_000)
    assert first.status_code == second.status_code == 204
    assert first_url != second_url
    assert [p.name for p in media_files("blobs")] == [sha256(data)]
    assert await Blob.count() == 1
    rows = await Upload.select(Upload.status, Upload.sha256)
    assert {(r["status"], r["sha256"]) for r in rows} == {("complete", sha256(data))}


async def test_expired_upload_answers_410_and_cleanup_removes_it_with_its_bytes(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    stale_url = (await create(client, data)).headers["location"]
    await send(client, stale_url, 0, data[:5000])
    fresh_url = (await create(client, data)).headers["location"]
    await send(client, fresh_url, 0, data[:5000])
    done_url, _ = await upload(client, jpeg())
    stale_id = stale_url.rsplit("/", 1)[1]
    await Upload.update({Upload.expires_at: now() - timedelta(minutes=1)}).where(Upload.id == stale_id)
    assert (await client.head(stale_url, headers=TUS)).status_code == 410
    assert len(media_files("uploads")) == 2

    removed = await cleanup_expired_uploads()

    assert removed == 1
    assert (await client.head(stale_url, headers=TUS)).status_code == 404
    assert (await client.head(fresh_url, headers=TUS)).headers["upload-offset"] == "5000"
    assert (await client.head(done_url, headers=TUS)).status_code == 200
    assert len(media_files("uploads")) == 1
    assert len(media_files("blobs")) == 1


async def test_cleanup_removes_partial_files_that_belong_to_no_upload(client, demo):
    from server.uploads import janitor, storage

    orphan = storage.uploads_dir() / f"{'0' * 32}.part"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left by a crash")
    os.utime(orphan, (0, 0))
    assert janitor.ORPHAN_GRACE_SECONDS > 0
    await cleanup_expired_uploads()
    assert not orphan.exists()


async def test_each_patch_pushes_the_expiry_forward(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    url = (await create(client, data)).headers["location"]
    upload_id = url.rsplit("/", 1)[1]
    await Upload.update({Upload.expires_at: now() + timedelta(minutes=5)}).where(Upload.id == upload_id)
    response = await send(client, url, 0, data[:1000])
    row = await Upload.select(Upload.expires_at).where(Upload.id == upload_id).first()
    assert row["expires_at"] > now() + timedelta(days=1)
    assert "GMT" in response.headers["upload-expires"]


async def test_uploads_and_their_bytes_are_counted_for_monitoring(client, demo):
    from prometheus_client import REGISTRY

    def sample(name: str, **labels) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    created, completed = sample("doorstep_uploads_total", outcome="created"), sample("doorstep_uploads_total", outcome="completed")
    received = sample("doorstep_upload_bytes_total")
    await sign_in(client, "worker")
    data = jpeg()
    await upload(client, data)
    assert sample("doorstep_uploads_total", outcome="created") == created + 1
    assert sample("doorstep_uploads_total", outcome="completed") == completed + 1
    assert sample("doorstep_upload_bytes_total") == received + len(data)


async def test_a_type_not_on_the_list_is_refused_once_the_first_bytes_arrive(client, demo):
    await sign_in(client, "worker")
    data = b"MZ\x90\x00" + os.urandom(300_000)
    url = (await create(client, data, filetype="video/mp4")).headers["location"]
    response = await send(client, url, 0, data[:8192])
    assert response.status_code == 422
    assert response.json()["error"] == "unsupported_type"
    assert (await send(client, url, 8192, data[8192:])).status_code == 410
    assert media_files("uploads") == []


async def _received_but_unchecked(client, data: bytes, *, blob_already_stored: bool = False) -> str:
    """The state a server leaves when it stops between storing the last byte and checking the file."""
    from server.uploads import storage

    url = (await create(client, data)).headers["location"]
    upload_id = url.rsplit("/", 1)[1]
    partial = media_files("uploads")[0]
    partial.write_bytes(data)
    if blob_already_stored:
        target = storage.blob_path(sha256(data))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.rename(target)
    await Upload.update({Upload.received: len(data)}).where(Upload.id == upload_id)
    return url


async def test_upload_received_but_unchecked_before_a_stop_is_checked_on_head(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    url = await _received_but_unchecked(client, data)
    head = await client.head(url, headers=TUS)
    assert head.status_code == 200
    assert head.headers["upload-offset"] == str(len(data))
    assert "upload-expires" not in head.headers
    assert (await Upload.select(Upload.status).first())["status"] == "complete"
    assert [p.read_bytes() == data for p in media_files("blobs")] == [True]


async def test_upload_whose_blob_was_stored_before_a_stop_completes_at_start_up(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    await _received_but_unchecked(client, data, blob_already_stored=True)
    await cleanup_expired_uploads()  # what the server runs at start-up
    assert (await Upload.select(Upload.status).first())["status"] == "complete"
    assert [p.read_bytes() == data for p in media_files("blobs")] == [True]


async def test_upload_received_but_corrupt_before_a_stop_is_refused_on_head(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    url = await _received_but_unchecked(client, data)
    media_files("uploads")[0].write_bytes(b"\x00" * len(data))
    head = await client.head(url, headers=TUS)
    assert head.status_code == 410
    assert media_files("blobs") == [] and media_files("uploads") == []
