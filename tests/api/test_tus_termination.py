"""tus termination of a finished upload: its owner ends one never attached (a phone does when the
worker sets the file aside) and it goes at once, by the unattached-upload cleanup's rules, with its
file only when nothing else has that content; one whose content its owner attached is kept (409)."""

from __future__ import annotations

import pytest

from server.uploads.tables import Blob, Upload
from sync.registry import Rejected
from tests.support.auth import sign_in
from tests.support.media import TUS, attach, attach_args, case_in, clean_media, jpeg, media_files, sha256, upload  # noqa: F401

COMMUNITY = "440106004001"


async def finished(client, username: str, data: bytes) -> str:
    """A finished upload of `data` by `username` (signed in afterwards): its URL."""
    await sign_in(client, username)
    url, response = await upload(client, data)
    assert response.status_code == 204, response.text
    return url


async def stored(data: bytes) -> bool:
    row = await Blob.exists().where(Blob.sha256 == sha256(data))
    assert row == any(path.name == sha256(data) for path in media_files("blobs")), "the blob row and its file disagree"
    return row


async def test_owner_terminates_a_finished_unattached_upload_and_its_file_goes(client, demo):
    data = jpeg()
    url = await finished(client, "worker", data)
    await sign_in(client, "worker2")
    assert (await client.delete(url, headers=TUS)).status_code == 404  # not theirs: kept
    await sign_in(client, "worker")
    assert await stored(data)

    response = await client.delete(url, headers=TUS)

    assert response.status_code == 204, response.text
    assert response.headers["tus-resumable"] == "1.0.0"
    assert not await Upload.exists().where(Upload.sha256 == sha256(data))
    assert not await stored(data)
    assert (await client.head(url, headers=TUS)).status_code == 404
    assert (await client.delete(url, headers=TUS)).status_code == 404  # a phone trying again is told it is gone
    with pytest.raises(Rejected) as late:
        await attach(client, attach_args(await case_in(COMMUNITY), data))
    assert late.value.details == {"code": "upload_missing"}


async def test_file_goes_with_the_last_of_its_terminated_uploads(client, demo):
    data = jpeg()
    other = await finished(client, "worker2", data)
    url = await finished(client, "worker", data)

    assert (await client.delete(url, headers=TUS)).status_code == 204

    assert await Upload.count().where(Upload.sha256 == sha256(data)) == 1
    assert await stored(data)  # worker2's upload still has that content
    await sign_in(client, "worker2")
    assert (await client.delete(other, headers=TUS)).status_code == 204
    assert not await stored(data)


async def test_terminated_upload_leaves_the_file_of_evidence_another_user_attached(client, demo):
    data = jpeg()
    attached = await finished(client, "worker2", data)
    evidence = await attach(client, attach_args(await case_in("440106004002"), data))
    url = await finished(client, "worker", data)

    assert (await client.delete(url, headers=TUS)).status_code == 204

    assert await stored(data)
    await sign_in(client, "worker2")
    assert (await client.delete(attached, headers=TUS)).status_code == 409  # the one attached stays
    content = await client.get(f"/api/evidence/{evidence['evidence_id']}/content")
    assert content.status_code == 200 and content.content == data


async def test_attached_upload_cannot_be_terminated(client, demo):
    data = jpeg()
    url = await finished(client, "worker", data)
    evidence = await attach(client, attach_args(await case_in(COMMUNITY), data))

    response = await client.delete(url, headers=TUS)

    assert response.status_code == 409, response.text
    assert response.json()["error"] == "attached"
    assert response.json()["reason"] == "该文件已作为证据附加到案件，不能删除。"
    assert response.headers["tus-resumable"] == "1.0.0"
    assert (await client.head(url, headers=TUS)).status_code == 200
    assert await stored(data)
    content = await client.get(f"/api/evidence/{evidence['evidence_id']}/content")
    assert content.status_code == 200 and content.content == data
