"""A full disk during an upload: the media store is a small tmpfs (a real filesystem that fills
up). The upload that does not fit answers 507 with a JSON reason, the file stored before it is
untouched, and once space is freed the same upload resumes from the server's offset and
finishes with the right hash."""

from __future__ import annotations

import os
import subprocess

import pytest

from server.settings import get_settings
from server.uploads.tables import Upload
from tests.support.auth import sign_in
from tests.support.media import clean_media  # noqa: F401  (fixture)
from tests.support.media import create, media_files, mp4, send, sha256

MB = 1024 * 1024


def _mount(size_mb: int, *, remount: bool = False) -> None:
    options = f"{'remount,' if remount else ''}size={size_mb}m"
    subprocess.run(["mount", "-t", "tmpfs", "-o", options, "doorstep-test-media", str(get_settings().storage.media_dir)], check=True)


@pytest.fixture
def small_media_store(clean_media):  # noqa: F811
    """The media directory as a 6 MiB tmpfs, unmounted afterwards (the test runs as root)."""
    assert os.geteuid() == 0, "this test mounts a tmpfs: run it as root (make test does)"
    folder = get_settings().storage.media_dir
    folder.mkdir(parents=True, exist_ok=True)
    _mount(6)
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


async def test_upload_on_a_full_disk_answers_507_and_loses_nothing_stored(client, demo, small_media_store):
    await sign_in(client, "worker")
    first = mp4(3 * MB)
    created = await create(client, first, filetype="video/mp4")
    stored = await send(client, created.headers["location"], 0, first)
    assert stored.status_code == 204, stored.text
    (blob,) = media_files("blobs")

    second = mp4(5 * MB)  # 3 + 5 MiB do not fit in 6 MiB
    created = await create(client, second, filetype="video/mp4")
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    full = await send(client, url, 0, second)
    assert full.status_code == 507, full.text
    body = full.json()
    assert body["error"] == "insufficient_storage" and "存储空间" in body["reason"]
    assert blob.name == sha256(first) and sha256(blob.read_bytes()) == sha256(first)
    row = await Upload.select(Upload.received, Upload.status).where(Upload.sha256 == sha256(second)).first()
    assert row["status"] == "receiving" and row["received"] < len(second)

    _mount(16, remount=True)  # the operator frees space
    head = await client.head(url, headers={"Tus-Resumable": "1.0.0"})
    offset = int(head.headers["upload-offset"])
    assert offset == row["received"]
    rest = await send(client, url, offset, second[offset:])
    assert rest.status_code == 204, rest.text
    blobs = {path.name: sha256(path.read_bytes()) for path in media_files("blobs")}
    assert blobs == {sha256(first): sha256(first), sha256(second): sha256(second)}
    assert media_files("uploads") == []
