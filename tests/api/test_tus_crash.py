"""SIGKILL the server in the middle of an upload; after a restart the upload resumes from the
stored offset and finishes as a verified file."""

from __future__ import annotations

import httpx

from server.uploads import offsets, writer
from server.uploads.tables import Upload
from tests.support.auth import sign_in
from tests.support.media import OCTETS, TUS, auth_headers, clean_media, metadata  # noqa: F401
from tests.support.media import LiveServer, media_files, mp4, open_patch, sha256, wait_for_offset

MB = 1024 * 1024


async def test_upload_resumes_after_the_server_is_killed_mid_request(demo):
    data = mp4(24 * MB)
    server = LiveServer().start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as http:
            await sign_in(http, "worker")
            headers = auth_headers(http)
        create = httpx.post(
            f"{server.url}/api/uploads/",
            headers=TUS | headers | {"Upload-Length": str(len(data)), "Upload-Metadata": metadata(data, filetype="video/mp4")},
        )
        path = create.headers["location"]
        first = httpx.patch(server.url + path, content=data[:MB], headers=TUS | OCTETS | headers | {"Upload-Offset": "0"})
        assert first.status_code == 204

        # One long request for the rest; the server dies after more than a checkpoint reached
        # the file (bytes still gathering for the writer thread are fewer than a batch).
        sock = open_patch(server.url, path, headers, MB, len(data) - MB)
        sock.sendall(data[MB : MB + offsets.CHECKPOINT + writer.BATCH + 3 * MB])
        before_kill = wait_for_offset(server.url, path, headers, above=MB)
        assert before_kill >= MB + offsets.CHECKPOINT
        server.kill()
        sock.close()
    finally:
        server.kill()

    row = await Upload.select(Upload.received, Upload.status).first()
    assert row == {"received": before_kill, "status": "receiving"}
    # bytes past the stored offset may sit in the partial file; they are never trusted
    assert media_files("uploads")[0].stat().st_size >= before_kill

    server = LiveServer().start()
    try:
        head = httpx.head(server.url + path, headers=TUS | headers)
        offset = int(head.headers["upload-offset"])
        assert offset == before_kill
        rest = httpx.patch(
            server.url + path, content=data[offset:], headers=TUS | OCTETS | headers | {"Upload-Offset": str(offset)}, timeout=60
        )
        assert rest.status_code == 204, rest.text
        assert rest.headers["upload-offset"] == str(len(data))
    finally:
        server.kill()

    blobs = media_files("blobs")
    assert [p.name for p in blobs] == [sha256(data)]
    assert sha256(blobs[0].read_bytes()) == sha256(data)
    assert media_files("uploads") == []
    assert (await Upload.select(Upload.status).first())["status"] == "complete"
