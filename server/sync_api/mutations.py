"""`conflict.resolve`: a person settles a conflict from the phone's outbox, offline first.

It applies exactly like `POST /api/sync/conflicts/{id}/resolve` and the supervisor's case page
(the same function, server.sync_api.resolution: same area check, same audit event); the resolution and the record's new version reach every device
through the pull (kinds `conflict` and the record's own).

A conflict already settled answers `rejected` with `details.code` "conflict_resolved" and the
conflict as it stands — unless it was settled by this same person with the same choices (e.g.
on the web while the phone's copy waited in the outbox): then it answers `applied` with
`already_resolved: true` and changes nothing. A device value chosen over a server value that
changed again since the conflict was recorded answers `conflict`: nothing written, the conflict
(in the answer and the pull) holds the current values for the person to decide again.
"""

from __future__ import annotations

from server.errors import Invalid
from server.i18n import N_
from server.sync_api.resolution import resolve_and_audit
from server.validation import rules
from server.validation.rejecting import rejecting
from sync.errors import ConflictClosed, ConflictNotFound, ConflictStale, SyncError
from sync.registry import MutationContext, Rejected, register

NOTE_MAX = 500


def _answer(conflict: dict, record: dict | None, *, already: bool = False) -> dict:
    answer = {"conflict_id": conflict["id"], "kind": conflict["kind"], "record_id": conflict["record_id"], "status": conflict["status"],
              "resolution": conflict["resolution"], "version": (record or {}).get("version")}
    if already:
        answer["already_resolved"] = True
    return answer


@register("conflict.resolve")
@rejecting
async def resolve(ctx: MutationContext, args: dict) -> dict:
    """Settle a conflict: {conflict_id, choices: {field: "device"|"server"}, note?}."""
    conflict_id = str(rules.uuid_value(args.get("conflict_id"), "conflict_id"))
    choices = args.get("choices")
    if not isinstance(choices, dict) or not choices:
        raise Invalid(N_("请为每个字段选择保留服务器的值或设备的值"), field="choices")
    note = rules.text(args.get("note"), "note", required=False, max_length=NOTE_MAX, label="说明")
    detail = {"client_id": ctx.client_id, "mutation_id": ctx.mutation_id, **({"note": note} if note else {})}
    try:
        result = await resolve_and_audit(ctx.actor, conflict_id, choices, via="outbox", detail=detail)
    except ConflictNotFound as exc:
        raise Rejected(exc.reason, field="conflict_id", details={"code": exc.code}) from exc
    except ConflictClosed as exc:
        conflict = exc.extra["conflict"]
        if conflict["resolved_by"] == ctx.user_id and conflict["resolution"] == choices:
            return _answer(conflict, None, already=True)
        raise Rejected(exc.reason, field="conflict_id", details={"code": exc.code, "conflict": conflict}) from exc
    except ConflictStale as exc:
        # Not settled: the conflict, still open, now holds the current values; the device shows it again.
        conflict = exc.extra["conflict"]
        return {"conflict_id": conflict["id"], "kind": conflict["kind"], "record_id": conflict["record_id"], "status": conflict["status"],
                "stale": exc.extra["stale"], "reason": exc.reason, "conflict": conflict}
    except SyncError as exc:
        raise Rejected(exc.reason, field=exc.field, details={"code": exc.code}) from exc
    return _answer(result["conflict"], result["record"])
