"""Each obligation's document as a PDF (WeasyPrint, Noto CJK), pre-filled from the snapshot taken
at the decision, with the document's SHA-256 printed on it; and the signed PDF, with the
signatures and a verification line. Every PDF the server hands out is kept, by its SHA-256, so
that the verification page can tell whether a file matches what the server holds.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

import anyio

from server.accounts.current import CurrentUser
from server.areas.scope import in_scope
from server.clock import LOCAL, now
from server.paperwork.kinds import DOCUMENTS, METHODS, SIGNER_ROLES, STATUSES
from server.paperwork.tables import Obligation, PaperworkPdf, Signature
from server.templating import TEMPLATES_DIR, make_environment
from sync.db import write_transaction

RELATIONS = {"self": "本人", "spouse": "配偶", "child": "子女", "parent": "父母", "grandchild": "孙子女", "grandparent": "祖父母",
             "sibling": "兄弟姐妹", "other": "其他"}
CASE_TYPES = {"dibao": "最低生活保障", "tekun": "特困人员救助供养", "temporary": "临时救助", "extension": "延期（自我申报）"}
VERIFY_PATH = "/paperwork/verify"


@lru_cache(maxsize=1)
def _environment():
    return make_environment()


def _when(moment) -> str:
    return moment.astimezone(LOCAL).strftime("%Y-%m-%d %H:%M") if moment else ""


def _signature_view(signature: dict, photo: bytes | None) -> dict:
    image = signature["image"] if signature["method"] == "screen" else photo
    mime = "image/png" if signature["method"] == "screen" else "image/jpeg"
    return {
        **signature,
        "signed_at_text": _when(signature["signed_at"]),
        "method_label": METHODS.get(signature["method"], signature["method"]),
        "image_uri": f"data:{mime};base64,{base64.b64encode(bytes(image)).decode()}" if image else None,
    }


def html(row: dict, signatures: list[dict] | None = None, photos: dict | None = None) -> str:
    """The document's HTML: the snapshot, the signers, and (for the signed variant) the signatures."""
    data = row["snapshot"]
    views = [_signature_view(s, (photos or {}).get(s["id"])) for s in signatures or []]
    return _environment().get_template("paperwork/pdf/document.html").render(
        o=row, s=data, title=DOCUMENTS[row["kind"]], signatures=views, signed=signatures is not None,
        RELATIONS=RELATIONS, CASE_TYPES=CASE_TYPES, SIGNER_ROLES=SIGNER_ROLES, STATUSES=STATUSES, verify_path=VERIFY_PATH,
        produced_at=_when(now()) if signatures is not None else "",
    )


def _render(markup: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=markup, base_url=str(TEMPLATES_DIR)).write_pdf()


async def render(markup: str) -> bytes:
    """WeasyPrint in a worker thread: rendering takes a second, the event loop must not wait."""
    return await anyio.to_thread.run_sync(_render, markup)


async def _kept(row: dict, variant: str, key: str) -> bytes | None:
    stored = await PaperworkPdf.select(PaperworkPdf.content).where(
        (PaperworkPdf.obligation == row["id"]) & (PaperworkPdf.variant == variant) & (PaperworkPdf.signatures_key == key)
    ).first()
    return bytes(stored["content"]) if stored else None


async def _keep(row: dict, variant: str, key: str, content: bytes) -> bytes:
    async with write_transaction(PaperworkPdf._meta.db):
        if await _kept(row, variant, key) is None:
            await PaperworkPdf.insert(PaperworkPdf(obligation=row["id"], variant=variant, signatures_key=key,
                                                   sha256=hashlib.sha256(content).hexdigest(), content=content, created_at=now()))
    return await _kept(row, variant, key) or content


async def document_pdf(row: dict) -> bytes:
    """The document to print and sign, as it was at the decision (rendered once, then kept)."""
    kept = await _kept(row, "document", "")
    if kept is not None:
        return kept
    return await _keep(row, "document", "", await render(html(row)))


async def signatures_of(row: dict) -> list[dict]:
    return await Signature.select().where(Signature.obligation == row["id"]).order_by(Signature.signed_at)


async def _photos(signatures: list[dict]) -> dict:
    from server.evidence.tables import Evidence
    from server.uploads.storage import blob_path

    photos = {}
    for signature in signatures:
        if signature["method"] == "photo" and signature["evidence"]:
            evidence = await Evidence.select(Evidence.sha256).where(Evidence.id == signature["evidence"]).first()
            path = blob_path(evidence["sha256"]) if evidence else None
            if path is not None and path.exists():
                photos[signature["id"]] = await anyio.Path(path).read_bytes()
    return photos


def signatures_key(signatures: list[dict]) -> str:
    return hashlib.sha256(",".join(sorted(str(s["id"]) for s in signatures)).encode()).hexdigest()


async def signed_pdf(row: dict) -> bytes | None:
    """The document with every signature collected so far and a verification line (None: no signature yet)."""
    signatures = await signatures_of(row)
    if not signatures:
        return None
    key = signatures_key(signatures)
    kept = await _kept(row, "signed", key)
    if kept is not None:
        return kept
    return await _keep(row, "signed", key, await render(html(row, signatures, await _photos(signatures))))


async def verify(user: CurrentUser, content: bytes) -> dict:
    """Whether a PDF is one the server produced, for a document in the user's scope."""
    digest = hashlib.sha256(content).hexdigest()
    match = await PaperworkPdf.select(
        PaperworkPdf.variant, PaperworkPdf.created_at, PaperworkPdf.signatures_key, PaperworkPdf.obligation.id.as_alias("obligation_id"),
    ).where((PaperworkPdf.sha256 == digest) & in_scope(user, PaperworkPdf.obligation.area)).order_by(PaperworkPdf.id, ascending=False).first()
    if match is None:
        return {"sha256": digest, "match": False}
    row = await Obligation.select(Obligation.id, Obligation.kind, Obligation.status, Obligation.document_sha256, Obligation.case).where(
        Obligation.id == match["obligation_id"]
    ).first()
    current = await signatures_of(row)
    latest = match["signatures_key"] == (signatures_key(current) if current and match["variant"] == "signed" else "")
    return {"sha256": digest, "match": True, "variant": match["variant"], "produced_at": _when(match["created_at"]), "latest": latest,
            "signatures": len(current), "obligation": {**row, "title": DOCUMENTS[row["kind"]]}}
