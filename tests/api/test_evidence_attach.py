"""`evidence.attach`: a finished, verified upload of this user, linked to a case in scope."""

from __future__ import annotations

import pytest

from server.evidence.tables import Evidence
from sync.registry import Rejected, RetryLater
from tests.support.auth import sign_in
from tests.support.media import attach, attach_args, case_in, clean_media  # noqa: F401
from tests.support.media import create, jpeg, mp4, ogg, send, upload


async def test_attach_links_a_verified_upload_to_a_case_with_attribution(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    await upload(client, data)
    case_id = await case_in("440106004001")
    args = attach_args(case_id, data, location={"lat": 23.13, "lon": 113.33, "accuracy": 12.5}, note="厨房")
    result = await attach(client, args)
    assert result["evidence_id"] == args["id"]
    assert result["case_id"] == str(case_id)
    row = await Evidence.select(Evidence.all_columns(), Evidence.attached_by.username.as_alias("by")).where(Evidence.id == args["id"]).first()
    assert row["by"] == "worker"
    assert (row["kind"], row["mime"], row["size"]) == ("photo", "image/jpeg", len(data))
    assert row["captured_at"].isoformat().startswith("2022-04-12T01:14:00")
    assert row["device"] == "iPhone 12 / Safari"
    assert row["client_id"] == "test-device"
    assert (row["latitude"], row["longitude"], row["accuracy"]) == (23.13, 113.33, 12.5)
    assert row["note"] == "厨房"


async def test_attach_while_the_upload_is_unfinished_is_retry_later(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    url = (await create(client, data)).headers["location"]
    await send(client, url, 0, data[:1000])
    args = attach_args(await case_in("440106004001"), data, kind="video")
    with pytest.raises(RetryLater):
        await attach(client, args)
    await send(client, url, 1000, data[1000:])
    result = await attach(client, args)
    assert result["evidence_id"] == args["id"]


async def test_attach_of_an_unknown_hash_is_rejected_in_chinese(client, demo):
    await sign_in(client, "worker")
    with pytest.raises(Rejected) as caught:
        await attach(client, attach_args(await case_in("440106004001"), b"never uploaded"))
    assert caught.value.field == "sha256"
    assert "上传" in caught.value.reason


async def test_attach_of_another_users_upload_is_rejected(client, demo):
    """Knowing a hash is not having the file: the content must have come from this user."""
    await sign_in(client, "worker2")
    data = jpeg()
    await upload(client, data)
    await sign_in(client, "worker")
    with pytest.raises(Rejected):
        await attach(client, attach_args(await case_in("440106004001"), data))


async def test_attach_to_a_case_out_of_scope_is_rejected(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    await upload(client, data)
    with pytest.raises(Rejected) as caught:
        await attach(client, attach_args(await case_in("440106004002"), data))
    assert caught.value.field == "case_id"
    assert "管辖范围" in caught.value.reason
    assert await Evidence.count() == 0


async def test_attach_with_a_kind_the_bytes_contradict_is_rejected(client, demo):
    await sign_in(client, "worker")
    data = ogg()
    await upload(client, data)
    with pytest.raises(Rejected) as caught:
        await attach(client, attach_args(await case_in("440106004001"), data, kind="photo"))
    assert caught.value.field == "kind"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"id": "not-a-uuid"}, "id"),
        ({"case_id": 42}, "case_id"),
        ({"kind": "sketch"}, "kind"),
        ({"captured_at": "yesterday"}, "captured_at"),
        ({"captured_at": "2022-04-12T09:14:00"}, "captured_at"),
        ({"location": {"lat": 123, "lon": 0}}, "location.lat"),
        ({"sha256": "ABC"}, "sha256"),
        ({"sha256": "../../etc/passwd"}, "sha256"),
        ({"sha256": "../" * 21 + "a"}, "sha256"),
        ({"id": "../../etc/passwd"}, "id"),
        ({"case_id": "../../etc/passwd"}, "case_id"),
    ],
)
async def test_attach_with_bad_arguments_is_rejected_naming_the_field(client, demo, change, field):
    await sign_in(client, "worker")
    data = jpeg()
    await upload(client, data)
    with pytest.raises(Rejected) as caught:
        await attach(client, attach_args(await case_in("440106004001"), data) | change)
    assert caught.value.field == field


async def test_attach_sent_again_answers_the_same_result_and_stores_one_item(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    await upload(client, data)
    args = attach_args(await case_in("440106004001"), data)
    first = await attach(client, args, mutation_id=1)
    again = await attach(client, args, mutation_id=2)
    assert first == again
    assert await Evidence.count() == 1
    other = jpeg(color=(1, 2, 3))
    await upload(client, other)
    with pytest.raises(Rejected) as caught:
        await attach(client, attach_args(await case_in("440106004001"), other, id=args["id"]))
    assert caught.value.field == "id"
