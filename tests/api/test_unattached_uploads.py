"""A finished upload never attached to a case is removed after the grace period (30 days by
default), with its file when nothing else refers to the same content; content in use never is."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from datetime import date, timedelta

import pytest

from server.clock import now
from server.db import get_engine
from server.evidence.tables import Evidence
from server.settings import get_settings
from server.uploads import janitor, unattached
from server.uploads.tables import Blob, Upload
from server.uploads.unattached import remove_unattached_uploads
from sync.db import write_transaction
from sync.registry import Rejected
from tests.support.auth import sign_in
from tests.support.media import attach, attach_args, case_in, clean_media  # noqa: F401
from tests.support.media import create, jpeg, media_files, send, sha256, upload

COMMUNITY = "440106004001"


def days_ago(days: int):
    return now() - timedelta(days=days)


async def uploaded(client, username: str, data: bytes, *, finished_days_ago: int) -> str:
    """A finished upload of `data` by `username`, finished that many days ago; its id."""
    await sign_in(client, username)
    url, response = await upload(client, data)
    assert response.status_code == 204, response.text
    upload_id = url.rsplit("/", 1)[1]
    await Upload.update({Upload.completed_at: days_ago(finished_days_ago)}).where(Upload.id == upload_id)
    return upload_id


async def stored(data: bytes) -> bool:
    """Whether the content is stored: its blob row and its file."""
    row = await Blob.exists().where(Blob.sha256 == sha256(data))
    on_disk = any(path.name == sha256(data) for path in media_files("blobs"))
    assert row == on_disk, "the blob row and its file disagree"
    return row


def removed_count(text: str) -> float:
    line = 'doorstep_uploads_total{outcome="unattached"}'
    return sum(float(row.split()[-1]) for row in text.splitlines() if row.startswith(line))


async def test_upload_never_attached_is_removed_after_the_grace_period_with_its_file(client, demo):
    assert get_settings().media.unattached_upload_days == 30
    data = jpeg()
    upload_id = await uploaded(client, "worker", data, finished_days_ago=31)
    before = removed_count((await client.get("/metrics")).text)

    assert await remove_unattached_uploads() == (1, 1)

    assert not await Upload.exists().where(Upload.id == upload_id)
    assert not await stored(data)
    assert removed_count((await client.get("/metrics")).text) == before + 1
    with pytest.raises(Rejected) as late:  # the phone comes back after the grace period
        await attach(client, attach_args(await case_in(COMMUNITY), data))
    assert late.value.field == "sha256" and "请重新上传" in late.value.reason
    assert late.value.details == {"code": "upload_missing"}  # the phone uploads its copy again


async def test_upload_within_the_grace_period_is_kept(client, demo):
    data = jpeg()
    upload_id = await uploaded(client, "worker", data, finished_days_ago=29)
    assert await remove_unattached_uploads() == (0, 0)
    assert await Upload.exists().where(Upload.id == upload_id)
    assert await stored(data)
    result = await attach(client, attach_args(await case_in(COMMUNITY), data))  # attaching late still works
    assert result["sha256"] == sha256(data)


async def test_attached_upload_and_its_file_are_never_removed(client, demo):
    data = jpeg()
    upload_id = await uploaded(client, "worker", data, finished_days_ago=400)
    evidence = await attach(client, attach_args(await case_in(COMMUNITY), data))
    await Blob.update({Blob.created_at: days_ago(400)}).where(Blob.sha256 == sha256(data))

    assert await remove_unattached_uploads() == (0, 0)

    assert await Upload.exists().where(Upload.id == upload_id)
    assert await stored(data)
    content = await client.get(f"/api/evidence/{evidence['evidence_id']}/content")
    assert content.status_code == 200 and content.content == data


async def test_unattached_upload_of_content_another_user_attached_goes_but_the_file_stays(client, demo):
    data = jpeg()
    unused = await uploaded(client, "worker2", data, finished_days_ago=31)
    used = await uploaded(client, "worker", data, finished_days_ago=31)
    await attach(client, attach_args(await case_in(COMMUNITY), data))

    assert await remove_unattached_uploads() == (1, 0)

    assert not await Upload.exists().where(Upload.id == unused)
    assert await Upload.exists().where(Upload.id == used)
    assert await stored(data)


async def test_file_stays_while_another_upload_of_the_same_content_is_unfinished(client, demo):
    data = jpeg()
    old = await uploaded(client, "worker", data, finished_days_ago=31)
    await sign_in(client, "worker2")
    coming = (await create(client, data)).headers["location"]
    await send(client, coming, 0, data[:1000])

    assert await remove_unattached_uploads() == (1, 0)

    assert not await Upload.exists().where(Upload.id == old)
    assert await stored(data)
    finished = await send(client, coming, 1000, data[1000:])  # the second upload finishes on the stored file
    assert finished.status_code == 204
    assert await stored(data)


async def test_content_named_by_a_self_declaration_is_kept(client, demo):
    from server.cases.tables import Case
    from server.declarations.tables import Declaration

    data = jpeg()
    upload_id = await uploaded(client, "worker", data, finished_days_ago=31)
    case = await Case.select(Case.id, Case.area).where(Case.area.code == COMMUNITY).first()
    await Declaration.insert(Declaration(
        id=uuid.uuid4(), case=case["id"], area=case["area"], content="承诺所报情况属实", agreed=True, declared_at=now(),
        evidence_kind="photo", evidence_ref=sha256(data), extension_months=3, recorded_at=now(), emergency_ends_on=date(2022, 6, 1),
    ))

    assert await remove_unattached_uploads() == (0, 0)

    assert await Upload.exists().where(Upload.id == upload_id)
    assert await stored(data)


async def test_blob_left_without_any_reference_is_removed_after_the_grace_period(client, demo):
    """E.g. two processes removed the last two uploads of one content at the same moment."""
    data = jpeg()
    upload_id = await uploaded(client, "worker", data, finished_days_ago=1)
    await Upload.delete().where(Upload.id == upload_id)
    assert await remove_unattached_uploads() == (0, 0)  # a young blob is left alone
    await Blob.update({Blob.created_at: days_ago(31)}).where(Blob.sha256 == sha256(data))
    assert await remove_unattached_uploads() == (0, 1)
    assert not await stored(data)


async def test_attach_in_progress_keeps_its_upload_from_a_concurrent_cleanup(client, demo):
    """The attach holds its push transaction open while the cleanup starts: the cleanup waits for
    it, then sees the evidence and keeps the upload and its file."""
    data = jpeg()
    upload_id = await uploaded(client, "worker", data, finished_days_ago=31)
    args = attach_args(await case_in(COMMUNITY), data)
    attached, finish = asyncio.Event(), asyncio.Event()

    async def push_with_attach():
        async with write_transaction(get_engine()):
            result = await attach(client, args)
            attached.set()
            await finish.wait()
        return result

    pushing = asyncio.create_task(push_with_attach())
    await attached.wait()
    cleaning = asyncio.create_task(remove_unattached_uploads())
    await asyncio.sleep(0.3)  # room for a cleanup that does not wait to remove the upload
    finish.set()
    assert (await pushing)["sha256"] == sha256(data)

    assert await cleaning == (0, 0)
    assert await Upload.exists().where(Upload.id == upload_id)
    assert await stored(data)
    assert await Evidence.exists().where(Evidence.id == args["id"])


async def test_attach_arriving_while_cleanup_removes_the_upload_is_rejected_cleanly(client, demo, monkeypatch):
    """The cleanup has taken the upload when the phone's attach arrives: the attach waits, then
    answers rejected (upload again) and stores no evidence pointing at a removed file."""
    data = jpeg()
    await uploaded(client, "worker", data, finished_days_ago=31)
    args = attach_args(await case_in(COMMUNITY), data)
    checked, finish = asyncio.Event(), asyncio.Event()
    really_attached = unattached._attached

    async def attached_then_pause(row):
        answer = await really_attached(row)
        checked.set()
        await finish.wait()
        return answer

    monkeypatch.setattr(unattached, "_attached", attached_then_pause)
    cleaning = asyncio.create_task(remove_unattached_uploads())
    await checked.wait()

    async def push_with_attach():
        async with write_transaction(get_engine()):
            return await attach(client, args)

    pushing = asyncio.create_task(push_with_attach())
    await asyncio.sleep(0.3)  # room for an attach that does not wait to use the upload
    finish.set()

    assert await cleaning == (1, 1)
    with pytest.raises(Rejected) as refused:
        await pushing
    assert refused.value.field == "sha256"
    assert not await Evidence.exists().where(Evidence.id == args["id"])
    assert not await stored(data)


async def expired_unfinished(client, username: str, data: bytes) -> str:
    """An upload of `data` by `username` half sent and past its expiry; its id."""
    await sign_in(client, username)
    url = (await create(client, data)).headers["location"]
    await send(client, url, 0, data[:1000])
    upload_id = url.rsplit("/", 1)[1]
    await Upload.update({Upload.expires_at: now() - timedelta(minutes=1)}).where(Upload.id == upload_id)
    return upload_id


async def test_janitor_round_runs_both_cleanups_and_counts_them(client, demo):
    data = jpeg()
    upload_id = await uploaded(client, "worker", data, finished_days_ago=31)
    stale = await expired_unfinished(client, "worker2", jpeg(color=(10, 20, 30)))

    cleaned = await janitor.clean_uploads()  # what the server runs at start-up and hourly

    assert cleaned == janitor.Cleaned(expired=1, unattached=1, blobs=1, failed=False)
    assert not await Upload.exists().where(Upload.id.is_in([upload_id, stale]))
    assert not await stored(data)


async def test_janitor_round_still_removes_unattached_uploads_when_the_expiry_cleanup_fails(client, demo, monkeypatch):
    data = jpeg()
    upload_id = await uploaded(client, "worker", data, finished_days_ago=31)

    async def broken(at=None):
        raise OSError("disk unreadable")

    monkeypatch.setattr(janitor, "cleanup_expired_uploads", broken)
    cleaned = await janitor.clean_uploads()

    assert cleaned == janitor.Cleaned(expired=0, unattached=1, blobs=1, failed=True)
    assert not await Upload.exists().where(Upload.id == upload_id)


def test_clean_uploads_command_reports_the_janitor_round_and_fails_when_it_failed(monkeypatch, capsys):
    from server.operations import commands

    rounds = []

    async def round_of(at=None):
        rounds.append(at)
        return janitor.Cleaned(expired=2, unattached=3, blobs=1, failed=len(rounds) > 1)

    monkeypatch.setattr(janitor, "clean_uploads", round_of)
    assert commands.cmd_clean_uploads(None) == 0
    assert "2 expired unfinished uploads, 3 finished uploads never attached, 1 unused stored files" in capsys.readouterr().out
    assert commands.cmd_clean_uploads(None) == 1
    assert "部分清理失败" in capsys.readouterr().err


async def test_clean_uploads_command_removes_them_too(client, demo):
    data = jpeg()
    upload_id = await uploaded(client, "worker", data, finished_days_ago=31)
    stale = await expired_unfinished(client, "worker2", jpeg(color=(10, 20, 30)))
    result = subprocess.run([sys.executable, "-m", "server.cli", "clean-uploads"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "1 expired unfinished uploads, 1 finished uploads never attached, 1 unused stored files" in result.stdout
    assert not await Upload.exists().where(Upload.id.is_in([upload_id, stale]))
    assert not await stored(data)
