"""Signatures through the sync push: bound to the document's hash, refused for the wrong one;
a photo of the paper signed by hand; the signed PDF and its verification."""

from __future__ import annotations

import base64
import hashlib
import io
import uuid

from pypdf import PdfReader

from server.evidence.tables import Evidence
from server.paperwork.signing import binding
from server.paperwork.tables import Obligation, Signature
from tests.api.test_paperwork_support import decided_case, declare_emergency, obligations_of
from tests.api.test_sync_support import mutation, new_client_id, push
from tests.support.auth import sign_in
from tests.support.media import jpeg, upload


def png(color=(0, 0, 0)) -> bytes:
    from PIL import Image

    image = Image.new("RGB", (120, 40), (255, 255, 255))
    for x in range(10, 110):
        image.putpixel((x, 20), color)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def sign_args(obligation: dict, signer: str, *, document_sha256: str | None = None, image: bytes | None = None) -> dict:
    image = image or png()
    signed_at = "2026-05-23T09:14:00+08:00"
    document = document_sha256 or obligation["document_sha256"]
    return {
        "id": str(uuid.uuid4()), "obligation_id": str(obligation["id"]), "document_sha256": document, "signer": signer,
        "signed_at": signed_at, "image": "data:image/png;base64," + base64.b64encode(image).decode(),
        "binding_sha256": binding(document, signer, signed_at, hashlib.sha256(image).hexdigest()),
    }


async def ready(client) -> dict[str, dict]:
    await declare_emergency(client)
    made = await decided_case(client, name="陈秀英", address="天河区石牌东路88号")
    await sign_in(client, "worker")
    return {r["kind"]: r for r in await obligations_of(made["case_id"])}


def text_of(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


async def test_signature_bound_to_the_document_hash_completes_the_obligation(client, demo):
    application = (await ready(client))["application"]
    signer = application["signers"][0]["key"]
    answer = (await push(client, new_client_id(), [mutation(1, "paperwork.sign", sign_args(application, signer))])).json()["results"][0]
    assert answer["status"] == "applied", answer
    assert answer["result"]["status"] == "signed"
    row = await Obligation.select().where(Obligation.id == application["id"]).first()
    assert row["status"] == "signed" and row["signed_at"] is not None
    stored = await Signature.select().where(Signature.obligation == application["id"]).first()
    assert stored["document_sha256"] == application["document_sha256"] and bytes(stored["image"]).startswith(b"\x89PNG")


async def test_signature_bound_to_the_wrong_document_hash_is_refused(client, demo):
    application = (await ready(client))["application"]
    signer = application["signers"][0]["key"]
    wrong = hashlib.sha256(b"another document").hexdigest()
    answer = (await push(client, new_client_id(), [mutation(1, "paperwork.sign", sign_args(application, signer, document_sha256=wrong))])).json()["results"][0]
    assert answer["status"] == "rejected"
    assert "文书" in answer["reason"] and answer["field"] == "document_sha256"
    assert await Signature.count().where(Signature.obligation == application["id"]) == 0
    assert (await Obligation.select(Obligation.status).where(Obligation.id == application["id"]).first())["status"] == "pending"


async def test_signature_with_a_binding_that_does_not_match_is_refused(client, demo):
    application = (await ready(client))["application"]
    args = sign_args(application, application["signers"][0]["key"])
    args["signed_at"] = "2026-05-24T10:00:00+08:00"  # the time changed after binding
    answer = (await push(client, new_client_id(), [mutation(1, "paperwork.sign", args)])).json()["results"][0]
    assert answer["status"] == "rejected" and answer["field"] == "binding_sha256"


async def test_authorization_stays_open_until_every_member_signed(client, demo):
    from tests.api.test_paperwork_support import add_member

    await declare_emergency(client)
    from tests.support.review_cases import make_case
    from tests.api.test_paperwork_support import approve

    made = await make_case(name="黄一")
    await add_member(made["household_id"], "黄二", "spouse", 401, 1)
    await approve(client, made["case_id"])
    await sign_in(client, "worker")
    authorization = next(r for r in await obligations_of(made["case_id"]) if r["kind"] == "authorization")
    keys = [s["key"] for s in authorization["signers"]]
    phone = new_client_id()
    first = (await push(client, phone, [mutation(1, "paperwork.sign", sign_args(authorization, keys[0]))])).json()["results"][0]
    assert first["result"]["status"] == "pending"
    again = (await push(client, phone, [mutation(2, "paperwork.sign", sign_args(authorization, keys[0]))])).json()["results"][0]
    assert again["status"] == "rejected"  # the same person twice
    second = (await push(client, phone, [mutation(3, "paperwork.sign", sign_args(authorization, keys[1]))])).json()["results"][0]
    assert second["result"]["status"] == "signed"


async def test_document_pdf_carries_the_case_chinese_text_hash_and_embedded_cjk_font(client, demo):
    application = (await ready(client))["application"]
    response = await client.get(f"/paperwork/{application['id']}/document.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = text_of(response.content)
    assert "申请书" in text and "陈秀英" in text and "天河区石牌东路88号" in text
    assert application["document_sha256"] in text.replace("\n", "")
    fonts = []
    for page in PdfReader(io.BytesIO(response.content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
                fonts.append((str(descendant.get_object()["/BaseFont"]), embedded))
    assert any("CJK" in name and embedded for name, embedded in fonts), fonts


async def test_signed_pdf_shows_the_signature_and_verifies_against_the_server(client, demo):
    application = (await ready(client))["application"]
    args = sign_args(application, application["signers"][0]["key"])
    await push(client, new_client_id(), [mutation(1, "paperwork.sign", args)])
    assert (await client.get(f"/paperwork/{application['id']}/signed.pdf")).status_code == 200
    signed = (await client.get(f"/paperwork/{application['id']}/signed.pdf")).content
    text = text_of(signed)
    assert "核验" in text and args["binding_sha256"] in text.replace("\n", "")
    images = [img for page in PdfReader(io.BytesIO(signed)).pages for img in page.images]
    assert images, "the signature image is in the signed PDF"
    match = await client.post("/paperwork/verify", files={"file": ("signed.pdf", signed, "application/pdf")})
    assert match.status_code == 200 and 'data-verify-result="match"' in match.text and 'data-latest="1"' in match.text
    tampered = signed + b"\n% one line added after signing\n"
    mismatch = await client.post("/paperwork/verify", files={"file": ("signed.pdf", tampered, "application/pdf")})
    assert 'data-verify-result="mismatch"' in mismatch.text
    await sign_in(client, "worker2")  # another community: the file is not theirs to verify
    other = await client.post("/paperwork/verify", files={"file": ("signed.pdf", signed, "application/pdf")})
    assert 'data-verify-result="mismatch"' in other.text


async def test_photo_of_the_hand_signed_paper_becomes_evidence_and_completes_the_obligation(client, demo):
    commitment = (await ready(client))["commitment"]
    photo = jpeg()
    _, last = await upload(client, photo, filetype="image/jpeg")
    assert last.status_code == 204, last.text
    evidence_id = str(uuid.uuid4())
    args = {"id": str(uuid.uuid4()), "obligation_id": str(commitment["id"]), "document_sha256": commitment["document_sha256"],
            "evidence": {"id": evidence_id, "sha256": hashlib.sha256(photo).hexdigest(), "captured_at": "2026-05-23T10:00:00+08:00"}}
    answer = (await push(client, new_client_id(), [mutation(1, "paperwork.attach_photo", args)])).json()["results"][0]
    assert answer["status"] == "applied", answer
    assert answer["result"]["status"] == "signed"
    evidence = await Evidence.select().where(Evidence.id == uuid.UUID(evidence_id)).first()
    assert evidence["case"] == commitment["case"] and evidence["kind"] == "photo"
    signed = await client.get(f"/paperwork/{commitment['id']}/signed.pdf")
    assert signed.status_code == 200 and "纸质签名" in text_of(signed.content)


async def test_verification_says_when_the_server_holds_a_newer_signed_version(client, demo):
    from tests.api.test_paperwork_support import add_member, approve
    from tests.support.review_cases import make_case

    await declare_emergency(client)
    made = await make_case(name="罗一")
    await add_member(made["household_id"], "罗二", "child", 601, 1)
    await approve(client, made["case_id"])
    await sign_in(client, "worker")
    authorization = next(r for r in await obligations_of(made["case_id"]) if r["kind"] == "authorization")
    keys = [s["key"] for s in authorization["signers"]]
    phone = new_client_id()
    await push(client, phone, [mutation(1, "paperwork.sign", sign_args(authorization, keys[0]))])
    first = (await client.get(f"/paperwork/{authorization['id']}/signed.pdf")).content
    await push(client, phone, [mutation(2, "paperwork.sign", sign_args(authorization, keys[1]))])
    second = (await client.get(f"/paperwork/{authorization['id']}/signed.pdf")).content
    assert first != second and "罗二" in text_of(second)
    older = await client.post("/paperwork/verify", files={"file": ("a.pdf", first, "application/pdf")})
    assert 'data-verify-result="match"' in older.text and 'data-latest="0"' in older.text
    newest = await client.post("/paperwork/verify", files={"file": ("b.pdf", second, "application/pdf")})
    assert 'data-latest="1"' in newest.text
