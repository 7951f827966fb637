"""Signatures collected on the phone: drawn on the screen, or a photo of the paper signed by hand.

A signature is bound to the document's SHA-256, the signer and the time:
binding = SHA-256("<document sha256>\\n<signer key>\\n<signed_at>\\n<image sha256>"). The device
computes it when the person signs, the server recomputes it; a signature whose document hash is
not the one the server holds for the obligation is refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime
from uuid import UUID

from server.audit.services import record
from server.clock import now
from server.i18n import N_
from server.paperwork.kinds import OPEN
from server.paperwork.services import KIND, get
from server.paperwork.settings import get_paperwork_settings
from server.paperwork.tables import Obligation, Signature
from server.errors import NotFound
from sync.feed import touch
from sync.registry import MutationContext, Rejected, expect_state

PNG = b"\x89PNG\r\n\x1a\n"
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def binding(document_sha256: str, signer: str, signed_at: str, image_sha256: str) -> str:
    return hashlib.sha256(f"{document_sha256}\n{signer}\n{signed_at}\n{image_sha256}".encode()).hexdigest()


def _uuid(value, field: str) -> UUID:
    try:
        return UUID(str(value))
    except (TypeError, ValueError) as exc:
        raise Rejected(N_("编号无效，应为 UUID。"), field=field) from exc


def _moment(value) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value))
    except (TypeError, ValueError) as exc:
        raise Rejected(N_("签名时间无效，应为 ISO 8601 格式并带时区。"), field="signed_at") from exc
    if moment.tzinfo is None:
        raise Rejected(N_("签名时间须带时区。"), field="signed_at")
    return moment


def _image(value) -> bytes:
    text = str(value or "")
    if text.startswith("data:image/png;base64,"):
        text = text.split(",", 1)[1]
    try:
        image = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Rejected(N_("签名图片无效（应为 PNG 的 base64）。"), field="image") from exc
    if not image.startswith(PNG):
        raise Rejected(N_("签名图片应为 PNG。"), field="image")
    if len(image) > get_paperwork_settings().max_signature_bytes:
        raise Rejected(N_("签名图片过大。"), field="image")
    return image


async def _obligation(ctx: MutationContext, args: dict) -> dict:
    try:
        row = await get(ctx.actor, _uuid(args.get("obligation_id"), "obligation_id"))
    except NotFound as exc:
        raise Rejected(N_("找不到该文书，或不在您的管辖范围内。"), field="obligation_id") from exc
    document = args.get("document_sha256")
    if not isinstance(document, str) or not _HEX64.match(document):
        raise Rejected(N_("缺少文书的 SHA-256。"), field="document_sha256")
    if document != row["document_sha256"]:
        raise Rejected(
            N_("签名所绑定的文书与服务器上的文书不一致（SHA-256 不同），签名未保存。请同步后打开最新的文书重新签名。"),
            field="document_sha256", details={"expected": row["document_sha256"], "actual": document},
        )
    return row


async def _existing(signature_id: UUID, obligation_id) -> dict | None:
    row = await Signature.select(Signature.id, Signature.obligation, Signature.signer).where(Signature.id == signature_id).first()
    if row is not None and row["obligation"] != obligation_id:
        raise Rejected(N_("该签名编号已被另一份文书使用。"), field="id")
    return row


async def _settle(row: dict, signer_keys: set[str]) -> str:
    """Mark the obligation signed once every signer (or a photo of the whole paper) is there."""
    signed = {r["signer"] for r in await Signature.select(Signature.signer).where(Signature.obligation == row["id"])}
    complete = "*" in signed or {s["key"] for s in row["signers"]} <= signed | signer_keys
    changes = {Obligation.version: row["version"] + 1}
    if complete:
        changes.update({Obligation.status: "signed", Obligation.signed_at: now()})
    await Obligation.update(changes).where(Obligation.id == row["id"])
    await touch(KIND, str(row["id"]), row["area_path"])
    return "signed" if complete else OPEN


def _result(row: dict, signature_id, status: str, binding_sha256: str) -> dict:
    return {"obligation_id": str(row["id"]), "signature_id": str(signature_id), "status": status, "binding_sha256": binding_sha256}


async def sign(ctx: MutationContext, args: dict) -> dict:
    """`paperwork.sign`: {id, obligation_id, document_sha256, signer, signed_at, image, binding_sha256?}."""
    signature_id = _uuid(args.get("id"), "id")
    row = await _obligation(ctx, args)
    if await _existing(signature_id, row["id"]) is not None:
        stored = await Signature.select(Signature.binding_sha256).where(Signature.id == signature_id).first()
        return _result(row, signature_id, row["status"], stored["binding_sha256"])
    expect_state(row["status"], OPEN, reason=N_("该文书已签署或已免签，签名未保存。"))
    signer = next((s for s in row["signers"] if s["key"] == args.get("signer")), None)
    if signer is None:
        raise Rejected(N_("签名人不是这份文书的签署人。"), field="signer")
    if await Signature.exists().where((Signature.obligation == row["id"]) & (Signature.signer == signer["key"])):
        raise Rejected(N_("{name} 已经签过这份文书。", name=signer["name"]), field="signer")
    signed_at_text = str(args.get("signed_at") or "")
    signed_at = _moment(signed_at_text)
    image = _image(args.get("image"))
    image_sha256 = hashlib.sha256(image).hexdigest()
    bound = binding(row["document_sha256"], signer["key"], signed_at_text, image_sha256)
    if args.get("binding_sha256") not in (None, "", bound):
        raise Rejected(N_("签名绑定值与文书、签名人、时间和签名图片不符。"), field="binding_sha256")
    user = ctx.actor
    await Signature.insert(Signature(
        id=signature_id, obligation=row["id"], signer=signer["key"], signer_name=signer["name"], method="screen",
        document_sha256=row["document_sha256"], binding_sha256=bound, image=image, image_sha256=image_sha256,
        signed_at=signed_at, received_at=ctx.received_at or now(), collected_by=user.id, client_id=ctx.client_id[:64],
        passkey_id=user.passkey_id,
    ))
    status = await _settle(row, {signer["key"]})
    await record(user, "paperwork.sign", "obligation", str(row["id"]), {"signer": signer["name"], "method": "screen", "binding": bound})
    return _result(row, signature_id, status, bound)


async def attach_photo(ctx: MutationContext, args: dict) -> dict:
    """`paperwork.attach_photo`: {id, obligation_id, document_sha256, evidence: {id, sha256, captured_at, ...}}.

    The photo of the paper signed by hand becomes evidence on the case (as `evidence.attach`
    does, waiting for the upload) and completes the obligation.
    """
    from server.evidence.services import attach

    signature_id = _uuid(args.get("id"), "id")
    row = await _obligation(ctx, args)
    if await _existing(signature_id, row["id"]) is not None:
        stored = await Signature.select(Signature.binding_sha256).where(Signature.id == signature_id).first()
        return _result(row, signature_id, row["status"], stored["binding_sha256"])
    expect_state(row["status"], OPEN, reason=N_("该文书已签署或已免签，照片未关联。"))
    evidence = args.get("evidence")
    if not isinstance(evidence, dict):
        raise Rejected(N_("缺少纸质签名文书的照片。"), field="evidence")
    attached = await attach(ctx, {**evidence, "case_id": str(row["case"]), "kind": "photo"})
    captured_at = str(evidence.get("captured_at"))
    bound = binding(row["document_sha256"], "*", captured_at, attached["sha256"])
    user = ctx.actor
    await Signature.insert(Signature(
        id=signature_id, obligation=row["id"], signer="*", signer_name="纸质签名（全部签署人）", method="photo",
        document_sha256=row["document_sha256"], binding_sha256=bound, image_sha256=attached["sha256"],
        evidence=UUID(attached["evidence_id"]), signed_at=_moment(captured_at), received_at=ctx.received_at or now(),
        collected_by=user.id, client_id=ctx.client_id[:64], passkey_id=user.passkey_id,
    ))
    status = await _settle(row, {"*"})
    await record(user, "paperwork.sign", "obligation", str(row["id"]), {"method": "photo", "evidence": attached["evidence_id"], "binding": bound})
    return _result(row, signature_id, status, bound)
