"""Evidence: attaching a verified upload to a case, and finding evidence in a user's scope."""

from __future__ import annotations

import math
import re
from datetime import datetime
from uuid import UUID

from piccolo.engine.postgres import PostgresEngine

from server.accounts.current import CurrentUser
from server.areas.scope import in_scope
from server.cases.tables import Case
from server.clock import now
from server.errors import NotFound
from server.evidence.tables import KINDS, Evidence
from server.i18n import N_
from server.uploads.tables import COMPLETE, RECEIVING, Blob, Upload
from sync.registry import MutationContext, Rejected, RetryLater

KIND = "evidence"
# The rejection of an attach whose file the server does not hold (never uploaded, refused, or
# removed unattached): a device that still holds the file uploads it again and attaches again.
UPLOAD_MISSING = "upload_missing"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
KIND_LABEL = {"photo": N_("照片"), "video": N_("视频"), "audio": N_("录音"), "document": N_("文档")}
COLUMNS = (
    Evidence.id, Evidence.case, Evidence.sha256, Evidence.kind, Evidence.mime, Evidence.size,
    Evidence.captured_at, Evidence.device, Evidence.attached_by, Evidence.attached_at,
    Evidence.latitude, Evidence.longitude, Evidence.accuracy, Evidence.note, Evidence.version,
)


def _uuid(value, field: str, label: str) -> UUID:
    try:
        return UUID(str(value))
    except (TypeError, ValueError) as exc:
        raise Rejected(N_("{label}无效，应为 UUID。", label=label), field=field) from exc


def _moment(value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise Rejected(N_("拍摄时间无效，应为 ISO 8601 格式并带时区。"), field="captured_at") from exc
    if moment.tzinfo is None:
        raise Rejected(N_("拍摄时间须带时区（例如 +08:00 或 Z）。"), field="captured_at")
    return moment


def _number(value, field: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not low <= value <= high:
        raise Rejected(N_("位置信息无效。"), field=f"location.{field}")
    return float(value)


def _location(value) -> dict:
    if value is None:
        return {"latitude": None, "longitude": None, "accuracy": None}
    if not isinstance(value, dict):
        raise Rejected(N_("位置信息应为 {lat, lon, accuracy}。"), field="location")
    accuracy = value.get("accuracy")
    return {
        "latitude": _number(value.get("lat"), "lat", -90, 90),
        "longitude": _number(value.get("lon"), "lon", -180, 180),
        "accuracy": None if accuracy is None else _number(accuracy, "accuracy", 0, 1e7),
    }


def parse_attach(ctx: MutationContext, args: dict) -> dict:
    """The arguments of `evidence.attach`, checked; Rejected with a reason for anything wrong."""
    sha256 = args.get("sha256")
    if not isinstance(sha256, str) or not _HEX64.match(sha256):
        raise Rejected(N_("sha256 应为整个文件的 SHA-256（64 位小写十六进制）。"), field="sha256")
    kind = args.get("kind")
    if kind not in KINDS:
        raise Rejected(N_("证据类型应为 photo、video、audio 或 document。"), field="kind")
    device = args.get("device") or ctx.client_id
    note = args.get("note") or ""
    if not isinstance(device, str) or not isinstance(note, str) or len(note) > 2000:
        raise Rejected(N_("设备或备注无效（备注最多 2000 字）。"), field="note")
    return {
        "id": _uuid(args.get("id"), "id", "证据编号"),
        "case": _uuid(args.get("case_id"), "case_id", "案件编号"),
        "sha256": sha256,
        "kind": kind,
        "captured_at": _moment(args.get("captured_at")),
        "device": device[:200],
        "note": note,
        **_location(args.get("location")),
    }


async def _verified_blob(user: CurrentUser, sha256: str) -> dict:
    """The blob of a finished, verified upload of this user; RetryLater while it is still coming.

    On PostgreSQL the finished upload is locked (FOR SHARE) until the push commits, so the
    cleanup of unattached uploads (server/uploads/unattached.py) cannot remove it meanwhile; on
    SQLite the push's write transaction keeps that cleanup out."""
    owned = (Upload.owner == user.id) & (Upload.sha256 == sha256)
    finished = Upload.select(Upload.id).where(owned & (Upload.status == COMPLETE))
    if isinstance(Upload._meta.db, PostgresEngine):
        finished = finished.lock_rows("SHARE")
    if await finished:
        blob = await Blob.select().where(Blob.sha256 == sha256).first()
        if blob is not None:
            return blob
    if await Upload.exists().where(owned & (Upload.status == RECEIVING) & (Upload.expires_at > now())):
        raise RetryLater(N_("文件尚未上传完成，稍后自动重试。"))
    raise Rejected(N_("服务器上没有您上传并校验通过的这个文件（sha256），请重新上传。"), field="sha256", details={"code": UPLOAD_MISSING})


def _kind_matches(declared: str, blob: dict) -> bool:
    if declared == blob["kind"]:
        return True
    # WebM and MP4 containers hold either a recording or a video.
    return blob["mime"] in ("audio/webm", "video/webm", "audio/mp4", "video/mp4") and declared in ("audio", "video")


def result_of(row: dict) -> dict:
    return {"evidence_id": str(row["id"]), "case_id": str(row["case"]), "version": row["version"], "sha256": row["sha256"]}


async def attach(ctx: MutationContext, args: dict) -> dict:
    """Link a finished, verified upload to a case in the actor's scope (the `evidence.attach` mutation)."""
    user: CurrentUser = ctx.actor
    item = parse_attach(ctx, args)
    case = await Case.select(Case.id, Case.area.path.as_alias("area_path")).where(
        (Case.id == item["case"]) & in_scope(user, Case.area)
    ).first()
    if case is None:
        raise Rejected(N_("找不到该案件，或不在您的管辖范围内。"), field="case_id")
    existing = await Evidence.select(*COLUMNS).where(Evidence.id == item["id"]).first()
    if existing is not None:
        if existing["case"] == item["case"] and existing["sha256"] == item["sha256"]:
            return result_of(existing)  # the same item sent again (e.g. from a reinstalled app)
        raise Rejected(N_("该证据编号已被另一条证据使用。"), field="id")
    blob = await _verified_blob(user, item["sha256"])
    if not _kind_matches(item["kind"], blob):
        raise Rejected(
            N_("文件内容是{kind}（{mime}），与声明的{declared}不符。", kind=KIND_LABEL[blob["kind"]], mime=blob["mime"], declared=KIND_LABEL[item["kind"]]),
            field="kind",
        )
    row = {
        **item,
        "mime": blob["mime"],
        "size": blob["size"],
        "client_id": ctx.client_id[:64],
        "attached_by": user.id,
        "passkey_id": user.passkey_id,
        "attached_at": now(),
        "version": 1,
    }
    await Evidence.insert(Evidence(**row))
    await _announce(str(item["id"]), case["area_path"])
    return result_of(row)


async def _announce(evidence_id: str, area_path: str) -> None:
    """Tell the pull feed that a new evidence record exists in the case's area."""
    from server.evidence.feed import touch_evidence

    await touch_evidence(evidence_id, area_path)


async def evidence_in_scope(user: CurrentUser, evidence_id: UUID) -> dict:
    """One evidence item whose case lies in the user's scope, else NotFound."""
    row = await Evidence.select(*COLUMNS).where((Evidence.id == evidence_id) & in_scope(user, Evidence.case.area)).first()
    if row is None:
        raise NotFound(N_("找不到该证据，或您无权查看。"))
    return row
