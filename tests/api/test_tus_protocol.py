"""tus 1.0 core, creation, creation-with-upload, checksum and termination: every status code."""

from __future__ import annotations

import os

from tests.support.auth import csrf, sign_in
from tests.support.media import clean_media  # noqa: F401
from tests.support.media import OCTETS, TUS, checksum, create, jpeg, media_files, metadata, mp4, send, sha256


async def test_options_advertises_version_extensions_checksums_and_max_size(client):
    response = await client.options("/api/uploads/")
    assert response.status_code == 204
    assert response.headers["tus-version"] == "1.0.0"
    extensions = set(response.headers["tus-extension"].split(","))
    assert {"creation", "creation-with-upload", "checksum", "termination", "expiration"} <= extensions
    assert set(response.headers["tus-checksum-algorithm"].split(",")) == {"sha1", "sha256"}
    assert int(response.headers["tus-max-size"]) >= 1024 * 1024 * 1024


async def test_create_without_session_is_401(client, demo):
    await csrf(client)
    response = await create(client, jpeg())
    assert response.status_code == 401


async def test_create_without_csrf_header_is_403(client, demo):
    await sign_in(client, "worker")
    del client.headers["x-csrftoken"]
    response = await create(client, jpeg())
    assert response.status_code == 403


async def test_create_answers_201_with_location_and_expiry(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    response = await create(client, data, filetype="image/jpeg")
    assert response.status_code == 201
    assert response.headers["location"].startswith("/api/uploads/")
    assert response.headers["tus-resumable"] == "1.0.0"
    assert "GMT" in response.headers["upload-expires"]
    head = await client.head(response.headers["location"], headers=TUS)
    assert head.status_code == 200
    assert head.headers["upload-offset"] == "0"
    assert head.headers["upload-length"] == str(len(data))
    assert head.headers["cache-control"] == "no-store"


async def test_request_without_tus_resumable_is_412(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    response = await client.post("/api/uploads/", headers={"Upload-Length": str(len(data)), "Upload-Metadata": metadata(data)})
    assert response.status_code == 412
    assert response.headers["tus-resumable"] == "1.0.0"


async def test_create_without_sha256_metadata_is_400(client, demo):
    await sign_in(client, "worker")
    response = await client.post("/api/uploads/", headers=TUS | {"Upload-Length": "10", "Upload-Metadata": "filename YS5qcGc="})
    assert response.status_code == 400
    assert "sha256" in response.json()["reason"]


async def test_create_with_uppercase_sha256_is_400(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    response = await create(client, data, digest=sha256(data).upper())
    assert response.status_code == 400


async def test_create_without_upload_length_is_400(client, demo):
    await sign_in(client, "worker")
    response = await client.post("/api/uploads/", headers=TUS | {"Upload-Metadata": metadata(b"x")})
    assert response.status_code == 400


async def test_patch_appends_and_head_reports_the_server_offset(client, demo):
    await sign_in(client, "worker")
    data = jpeg(1600, 1200) + os.urandom(200_000)
    url = (await create(client, data)).headers["location"]
    first = await send(client, url, 0, data[:100_000])
    assert first.status_code == 204
    assert first.headers["upload-offset"] == "100000"
    head = await client.head(url, headers=TUS)
    assert head.headers["upload-offset"] == "100000"


async def test_patch_at_a_wrong_offset_is_409_and_changes_nothing(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    url = (await create(client, data)).headers["location"]
    await send(client, url, 0, data[:1000])
    response = await send(client, url, 500, data[500:2000])
    assert response.status_code == 409
    assert (await client.head(url, headers=TUS)).headers["upload-offset"] == "1000"


async def test_patch_with_wrong_content_type_is_415(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    url = (await create(client, data)).headers["location"]
    response = await client.patch(url, content=data[:10], headers=TUS | {"Upload-Offset": "0", "Content-Type": "application/octet-stream"})
    assert response.status_code == 415


async def test_patch_beyond_the_declared_length_is_413_and_keeps_nothing(client, demo):
    await sign_in(client, "worker")
    data = mp4(5000)
    url = (await create(client, data)).headers["location"]
    response = await send(client, url, 0, data + b"extra")
    assert response.status_code == 413
    assert (await client.head(url, headers=TUS)).headers["upload-offset"] == "0"


async def test_chunk_with_matching_checksum_is_kept_for_sha1_and_sha256(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    url = (await create(client, data)).headers["location"]
    first = await send(client, url, 0, data[:1000], **{"Upload-Checksum": checksum("sha1", data[:1000])})
    assert first.status_code == 204
    second = await send(client, url, 1000, data[1000:], **{"Upload-Checksum": checksum("sha256", data[1000:])})
    assert second.status_code == 204
    assert second.headers["upload-offset"] == str(len(data))


async def test_chunk_with_wrong_checksum_is_460_and_discarded(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    url = (await create(client, data)).headers["location"]
    await send(client, url, 0, data[:1000])
    corrupted = bytes([data[1000] ^ 0xFF]) + data[1001:5000]  # one byte surely changed (a random byte may be 0)
    response = await send(client, url, 1000, corrupted, **{"Upload-Checksum": checksum("sha256", data[1000:5000])})
    assert response.status_code == 460
    assert (await client.head(url, headers=TUS)).headers["upload-offset"] == "1000"
    # the same chunk sent again intact is accepted, and the file completes verified
    again = await send(client, url, 1000, data[1000:], **{"Upload-Checksum": checksum("sha1", data[1000:])})
    assert again.status_code == 204
    assert again.headers["upload-offset"] == str(len(data))
    assert [p.name for p in media_files("blobs")] == [sha256(data)]


async def test_checksum_with_unsupported_algorithm_is_400(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    url = (await create(client, data)).headers["location"]
    response = await send(client, url, 0, data[:10], **{"Upload-Checksum": "md5 AAAA"})
    assert response.status_code == 400


async def test_creation_with_upload_stores_the_first_bytes(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    headers = TUS | OCTETS | {"Upload-Length": str(len(data)), "Upload-Metadata": metadata(data)}
    response = await client.post("/api/uploads/", content=data[:4096], headers=headers)
    assert response.status_code == 201
    assert response.headers["upload-offset"] == "4096"
    rest = await send(client, response.headers["location"], 4096, data[4096:])
    assert rest.status_code == 204


async def test_creation_with_the_whole_file_completes_at_once(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    headers = TUS | OCTETS | {"Upload-Length": str(len(data)), "Upload-Metadata": metadata(data)}
    response = await client.post("/api/uploads/", content=data, headers=headers)
    assert response.status_code == 201
    assert response.headers["upload-offset"] == str(len(data))
    assert "upload-expires" not in response.headers
    assert (media_files("blobs")[0]).read_bytes() == data


async def test_delete_terminates_the_upload_and_its_bytes(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    url = (await create(client, data)).headers["location"]
    await send(client, url, 0, data[:5000])
    assert len(media_files("uploads")) == 1
    response = await client.delete(url, headers=TUS)
    assert response.status_code == 204
    assert (await client.head(url, headers=TUS)).status_code == 404
    assert (await send(client, url, 5000, data[5000:])).status_code == 404
    assert media_files("uploads") == []


async def test_another_users_upload_is_404(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    url = (await create(client, data)).headers["location"]
    await sign_in(client, "worker2")
    assert (await client.head(url, headers=TUS)).status_code == 404
    assert (await send(client, url, 0, data[:10])).status_code == 404
    assert (await client.delete(url, headers=TUS)).status_code == 404


async def test_unknown_upload_is_404(client, demo):
    await sign_in(client, "worker")
    response = await client.head("/api/uploads/00000000-0000-4000-8000-000000000000", headers=TUS)
    assert response.status_code == 404


async def test_second_request_while_one_is_writing_is_423(client, demo):
    import asyncio
    from uuid import UUID

    from server.uploads import services
    from tests.support.media import current_user

    await sign_in(client, "worker")
    data = mp4()
    url = (await create(client, data)).headers["location"]
    upload_id = UUID(url.rsplit("/", 1)[1])
    user = await current_user(client)
    release = asyncio.Event()

    async def slow_body():
        yield data[:1000]
        await release.wait()
        yield data[1000:2000]

    first = asyncio.create_task(services.receive(user, upload_id, 0, slow_body(), content_length=2000, checksum=None))
    await asyncio.sleep(0.2)
    response = await send(client, url, 0, data[:10])
    assert response.status_code == 423
    assert (await client.delete(url, headers=TUS)).status_code == 423
    release.set()
    row = await first
    assert row["received"] == 2000
    assert (await send(client, url, 2000, data[2000:3000])).status_code == 204
