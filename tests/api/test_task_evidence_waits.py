"""How long a `task.answer` waits for the evidence it names: `retry` (evidence_pending) while it may
still arrive, for as long as a finished upload waits for its attach (DOORSTEP_UNATTACHED_UPLOAD_DAYS,
counted from the server's first `evidence_pending` for that answer), then `rejected`
(evidence_overdue), so that a client retrying it is not told to retry for ever."""

from __future__ import annotations

import uuid
from datetime import timedelta

from server.clock import now
from server.review.tables import AnswerWait
from server.settings import get_settings
from tests.api.test_review_field_tasks import answer_push, returned_case, task_and_case
from tests.api.test_sync_support import mutation, new_client_id, push
from tests.support.auth import sign_in
from tests.support.media import attach_args, clean_media, mp4, upload  # noqa: F401  (clean_media: an empty media folder)


async def waited_since(days: int) -> None:
    """Move the start of every noted wait that many days back."""
    await AnswerWait.update({AnswerWait.first_seen: now() - timedelta(days=days)}).where(AnswerWait.id > 0)


async def test_answer_whose_evidence_never_arrives_is_rejected_once_the_grace_period_is_over(client, demo):
    made, task_id = await returned_case(client)
    await sign_in(client, "worker")
    device, evidence_id = new_client_id(), str(uuid.uuid4())
    assert get_settings().media.unattached_upload_days == 30

    first = await answer_push(client, device, 1, task_id, [evidence_id])
    assert (first["results"][0]["status"], first["results"][0]["code"]) == ("retry", "evidence_pending")
    noted = await AnswerWait.select(AnswerWait.first_seen).first()
    assert noted is not None, "the first wait is noted although the retry applied nothing"
    await waited_since(29)
    again = await answer_push(client, device, 1, task_id, [evidence_id])  # a client that just retries
    assert (again["results"][0]["status"], again["last_mutation_id"]) == ("retry", 0)
    assert await AnswerWait.count() == 1  # a later retry does not start the clock again

    await waited_since(30)
    overdue = await answer_push(client, device, 1, task_id, [evidence_id])
    result = overdue["results"][0]
    assert (result["status"], result["field"], result["details"]["code"]) == ("rejected", "evidence[0]", "evidence_overdue")
    assert result["details"]["waiting_for"] == [evidence_id] and result["details"]["days"] == 30
    assert "不再等待" in result["reason"] and overdue["last_mutation_id"] == 1  # the queue moves on
    assert await task_and_case(task_id, made["case_id"]) == ("open", "returned")

    # Answering again with evidence captured anew waits afresh.
    fresh = await answer_push(client, device, 2, task_id, [str(uuid.uuid4())])
    assert (fresh["results"][0]["status"], fresh["results"][0]["code"]) == ("retry", "evidence_pending")


async def test_evidence_arriving_after_a_long_wait_still_lets_the_answer_apply(client, demo):
    made, task_id = await returned_case(client)
    await sign_in(client, "worker")
    device, video = new_client_id(), mp4()
    evidence_id = str(uuid.uuid4())
    assert (await answer_push(client, device, 1, task_id, [evidence_id]))["results"][0]["status"] == "retry"
    await waited_since(45)  # the phone waited for Wi-Fi for weeks; it sends the answer behind the attach
    assert await AnswerWait.count() == 1

    await upload(client, video)
    args = attach_args(made["case_id"], video, kind="video") | {"id": evidence_id}
    assert (await push(client, device, [mutation(1, "evidence.attach", args)])).json()["results"][0]["status"] == "applied"
    answered = await answer_push(client, device, 2, task_id, [evidence_id])
    assert answered["results"][0]["status"] == "applied", answered
    assert await task_and_case(task_id, made["case_id"]) == ("answered", "submitted")
    assert await AnswerWait.count() == 0  # the wait is over


async def test_janitor_round_removes_the_notes_that_can_no_longer_matter(client, demo):
    """Notes go in the hourly round once their case has no open task (an answer that waited was
    replaced by one naming other evidence, which applied) or once they are older than the bound plus
    the margin (an answer never sent again); a note of an open task within that stays."""
    from server.review.task_evidence import WAIT_MARGIN_DAYS
    from server.uploads import janitor

    _, answered_task = await returned_case(client, name="答复已换")
    other, open_task = await returned_case(client, name="仍在等待")
    await sign_in(client, "worker")
    device = new_client_id()
    replaced = await answer_push(client, device, 1, answered_task, [str(uuid.uuid4())])
    assert replaced["results"][0]["code"] == "evidence_pending"
    answered = await answer_push(client, device, 1, answered_task, [])  # answered again, with no evidence
    assert answered["results"][0]["status"] == "applied"
    waiting = await answer_push(client, new_client_id(), 1, open_task, [str(uuid.uuid4())])
    assert waiting["results"][0]["code"] == "evidence_pending"
    assert await AnswerWait.count() == 2  # the replaced answer's note outlived its answer

    bound = get_settings().media.unattached_upload_days + WAIT_MARGIN_DAYS
    await waited_since(bound - 1)
    assert (await janitor.clean_uploads()).waits == 1
    kept = await AnswerWait.select(AnswerWait.case).output(as_list=True)
    assert kept == [uuid.UUID(other["case_id"])]

    await waited_since(bound + 1)
    cleaned = await janitor.clean_uploads()
    assert (cleaned.waits, cleaned.failed) == (1, False)
    assert await AnswerWait.count() == 0
