"""The real tus client (tuspy) against a real server process: chunks, a dropped connection
in the middle of a chunk, and a resume that starts where the server says it has the bytes."""

from __future__ import annotations

import httpx
import requests
from tusclient.client import TusClient

from server.uploads.tables import Upload
from tests.support.auth import sign_in
from tests.support.media import attach_args, auth_headers, case_in, clean_media  # noqa: F401
from tests.support.media import live_server, media_files, mp4, open_patch, sha256, wait_for_offset

CHUNK = 256 * 1024


async def test_tuspy_upload_interrupted_mid_chunk_resumes_at_the_server_offset(demo, tmp_path, monkeypatch):
    data = mp4(10 * CHUNK + 12345)
    path = tmp_path / "visit.mp4"
    path.write_bytes(data)
    with live_server() as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            await sign_in(http, "worker")
            headers = auth_headers(http)
        tus = TusClient(f"{server.url}/api/uploads/", headers=headers)
        meta = {"filename": "visit.mp4", "filetype": "video/mp4", "sha256": sha256(data)}

        first = tus.uploader(file_path=str(path), chunk_size=CHUNK, metadata=meta, upload_checksum=True)
        first.upload(stop_at=2 * CHUNK)  # two chunks, each with an sha1 Upload-Checksum
        assert first.offset == 2 * CHUNK
        upload_path = first.url.removeprefix(server.url)

        # The third chunk is cut off after 100,000 bytes: the network is gone.
        sock = open_patch(server.url, upload_path, headers, 2 * CHUNK, CHUNK)
        sock.sendall(data[2 * CHUNK : 2 * CHUNK + 100_000])
        sock.close()
        server_offset = wait_for_offset(server.url, upload_path, headers, above=2 * CHUNK)
        assert server_offset == 2 * CHUNK + 100_000  # what arrived is kept

        # Later (the app was closed meanwhile) a new uploader resumes from the stored URL.
        sent_offsets: list[int] = []
        real_patch = requests.patch

        def recording_patch(url, **kwargs):
            sent_offsets.append(int(kwargs["headers"]["upload-offset"]))
            return real_patch(url, **kwargs)

        monkeypatch.setattr(requests, "patch", recording_patch)
        resumed = tus.uploader(file_path=str(path), url=first.url, chunk_size=CHUNK, upload_checksum=True)
        assert resumed.offset == server_offset  # learnt from HEAD, not from the client's memory
        resumed.upload()

    assert sent_offsets[0] == server_offset
    assert sent_offsets == list(range(server_offset, len(data), CHUNK))
    assert resumed.offset == len(data)
    row = await Upload.select(Upload.status, Upload.kind).first()
    assert row == {"status": "complete", "kind": "video"}
    assert [p.read_bytes() == data for p in media_files("blobs")] == [True]
    assert media_files("uploads") == []


async def test_tuspy_upload_then_attach_through_the_handler(demo, tmp_path):
    from tests.support.media import attach

    data = mp4(3 * CHUNK)
    path = tmp_path / "a.mp4"
    path.write_bytes(data)
    with live_server() as server:
        async with httpx.AsyncClient(base_url=server.url) as http:
            await sign_in(http, "worker")
            uploader = TusClient(f"{server.url}/api/uploads/", headers=auth_headers(http)).uploader(
                file_path=str(path), chunk_size=CHUNK, metadata={"sha256": sha256(data), "filename": "a.mp4"}
            )
            uploader.upload()
            result = await attach(http, attach_args(await case_in("440106004001"), data, kind="video"))
    assert result["sha256"] == sha256(data)
