"""The evidence a `task.answer` names: the answer applies only once all of it is on the case.

The phone answers a returned case and names the evidence captured for it (the ids its
`evidence.attach` mutations carry). A large video may wait for Wi-Fi long after the answer was
written, so an answer whose evidence has not arrived yet is answered `retry` (code
`evidence_pending`) and the phone sends it again later. What can never arrive is refused: evidence
attached to another case, or evidence whose `evidence.attach` the server rejected (but not for
want of its file, `upload_missing`: the phone uploads the file again and attaches it again).

The wait is bounded, so that a client that keeps sending such an answer is not told `retry` for
ever: the first `evidence_pending` of a person's answer naming certain evidence on a case is noted
(`AnswerWait`, kept although the retry applies nothing), and once as long has passed as a finished
upload waits for its attach (DOORSTEP_UNATTACHED_UPLOAD_DAYS) the answer is refused
(`evidence_overdue`). By then an upload finished when the answer was first seen and never
attached is gone from the server too. The phone re-sends an answer only behind the attaches of its
files, so a phone whose evidence did arrive is never refused for having waited.

A note goes when its answer applies, and the janitor's round (`prune_answer_waits`) removes those
that can no longer matter: of a case with no open task (an answer to a task no longer open is
refused before its evidence is looked at), and those older than the bound plus WAIT_MARGIN_DAYS
(an answer sent again within that was refused as overdue; one sent again only later waits afresh,
its phone away so long that its unattached uploads are gone too). Without this, the notes of
answers never sent again, or answered anew naming other evidence, would stay for ever.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from functools import partial

from server.clock import now
from server.evidence.services import UPLOAD_MISSING
from server.evidence.tables import Evidence
from server.review.tables import AnswerWait, Task
from server.settings import get_settings
from sync.registry import Rejected, RetryLater
from sync.tables import SyncMutation
from server.i18n import N_

MAX_EVIDENCE = 50
PENDING = "evidence_pending"
REFUSED = "evidence_refused"
OTHER_CASE = "evidence_other_case"
OVERDUE = "evidence_overdue"
WAIT_MARGIN_DAYS = 7


def named_evidence(raw: object) -> list[uuid.UUID]:
    """The answer's `evidence` argument: a list of evidence ids (UUIDs), each once; [] when absent."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise Rejected(N_("evidence 应为证据编号的列表。"), field="evidence")
    if len(raw) > MAX_EVIDENCE:
        raise Rejected(N_("一次答复最多附 {count} 份证据。", count=MAX_EVIDENCE), field="evidence")
    ids: list[uuid.UUID] = []
    for index, value in enumerate(raw):
        try:
            item = uuid.UUID(str(value)) if isinstance(value, str) else None
        except ValueError:
            item = None
        if item is None:
            raise Rejected(N_("证据编号格式不正确（应为UUID）。"), field=f"evidence[{index}]")
        if item not in ids:
            ids.append(item)
    return ids


def _decoded(value) -> dict:
    if isinstance(value, dict):
        return value
    try:
        decoded = json.loads(value or "{}")
    except (TypeError, ValueError):
        return {}
    return decoded if isinstance(decoded, dict) else {}


async def _refused_attaches(user_id: int | None, missing: set[str]) -> dict[str, str]:
    """{evidence id: the reason} for the missing ids whose `evidence.attach` by this user was rejected,
    except for want of its file (`upload_missing`): the device uploads the file again and attaches
    that id again."""
    if user_id is None or not missing:
        return {}
    rows = await SyncMutation.select(SyncMutation.args, SyncMutation.result).where(
        (SyncMutation.user_id == user_id) & (SyncMutation.name == "evidence.attach") & (SyncMutation.status == "rejected")
    )
    refused: dict[str, str] = {}
    for row in rows:
        evidence_id = str(_decoded(row["args"]).get("id", "")).lower()
        answer = _decoded(row["result"])
        if evidence_id in missing and _decoded(answer.get("details")).get("code") != UPLOAD_MISSING:
            refused[evidence_id] = str(answer.get("reason") or "")
    return refused


async def require_evidence(user_id: int | None, case_id: uuid.UUID, ids: list[uuid.UUID]) -> None:
    """Return when every named evidence is attached to the case; else RetryLater or Rejected."""
    if not ids:
        return
    rows = await Evidence.select(Evidence.id, Evidence.case).where(Evidence.id.is_in(ids))
    attached = {row["id"]: row["case"] for row in rows}
    for index, item in enumerate(ids):
        if item in attached and attached[item] != case_id:
            raise Rejected(
                N_("第 {number} 份证据属于另一个案件，不能作为本任务的补充证据；答复未执行。", number=index + 1),
                field=f"evidence[{index}]",
                details={"code": OTHER_CASE, "evidence_id": str(item)},
            )
    missing = [item for item in ids if item not in attached]
    refused = await _refused_attaches(user_id, {str(item) for item in missing})
    for item in missing:
        if str(item) in refused:
            index = ids.index(item)
            why = refused[str(item)]
            raise Rejected(
                N_("第 {number} 份证据已被服务器拒绝（{why}），不会再到达；请重新拍摄证据后再答复。", number=index + 1, why=why),
                field=f"evidence[{index}]",
                details={"code": REFUSED, "evidence_id": str(item)},
            )
    key = _wait_key(user_id, case_id, ids)
    if not missing:
        await AnswerWait.delete().where(AnswerWait.key == key)  # the wait is over
        return
    waiting_for = [str(item) for item in missing]
    since = await AnswerWait.select(AnswerWait.first_seen).where(AnswerWait.key == key).first()
    if since is not None and now() - since["first_seen"] >= timedelta(days=_patience_days()):
        raise Rejected(
            N_("答复等待的证据长时间未到达服务器，不再等待；答复未执行，请重新拍摄证据后再答复。"),
            field=f"evidence[{ids.index(missing[0])}]",
            details={"code": OVERDUE, "waiting_for": waiting_for, "waiting_since": since["first_seen"].isoformat(), "days": _patience_days()},
        )
    raise RetryLater(
        N_("答复等待证据上传：还有 {count} 份证据未到达服务器，稍后自动重试。", count=len(missing)),
        code=PENDING,
        details={"waiting_for": waiting_for},
        keep=None if since is not None else partial(_wait_began, key, case_id),
    )


def _patience_days() -> int:
    """As long as a finished upload waits for its `evidence.attach` (DOORSTEP_UNATTACHED_UPLOAD_DAYS)."""
    return get_settings().media.unattached_upload_days


def _wait_key(user_id: int | None, case_id: uuid.UUID, ids: list[uuid.UUID]) -> str:
    """One answer's wait: the same person naming the same evidence (in any order) on the same case."""
    named = ",".join(sorted(str(item) for item in ids))
    return hashlib.sha256(f"{user_id}|{case_id}|{named}".encode()).hexdigest()


async def _wait_began(key: str, case_id: uuid.UUID) -> None:
    """Note when the server first answered this wait (kept although the retry applies nothing)."""
    await AnswerWait.insert(AnswerWait(key=key, case=case_id, first_seen=now())).on_conflict(action="DO NOTHING")


async def prune_answer_waits(at: datetime | None = None) -> int:
    """Remove the notes that can no longer matter: of cases with no open task, and older than the
    bound plus WAIT_MARGIN_DAYS. Returns how many went."""
    cutoff = (at or now()) - timedelta(days=_patience_days() + WAIT_MARGIN_DAYS)
    open_cases = Task.select(Task.case).where(Task.status == "open")
    stale = (AnswerWait.first_seen < cutoff) | AnswerWait.case.not_in(open_cases)
    return len(await AnswerWait.delete().where(stale).returning(AnswerWait.id))
