"""The file type comes from the bytes: every allowed format is recognised, others are refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from server.uploads.sniff import sniff


def _image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(out, fmt)
    return out.getvalue()


def _ftyp(major: bytes, *compatible: bytes) -> bytes:
    body = major + b"\x00\x00\x00\x00" + b"".join(compatible)
    return (8 + len(body)).to_bytes(4, "big") + b"ftyp" + body + b"\x00" * 64


@pytest.mark.parametrize(
    ("head", "declared", "mime", "kind"),
    [
        (_image("JPEG"), "", "image/jpeg", "photo"),
        (_image("PNG"), "", "image/png", "photo"),
        (_image("WEBP"), "", "image/webp", "photo"),
        (_ftyp(b"heic", b"mif1", b"heic"), "", "image/heic", "photo"),
        (_ftyp(b"mif1", b"heic"), "", "image/heic", "photo"),
        (_ftyp(b"isom", b"isom", b"avc1"), "", "video/mp4", "video"),
        (_ftyp(b"mp42", b"mp41"), "", "video/mp4", "video"),
        (_ftyp(b"qt  ", b"qt  "), "", "video/quicktime", "video"),
        (b"\x00\x00\x00\x08wide" + b"\x00" * 32, "", "video/quicktime", "video"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "video/webm", "video/webm", "video"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "audio/webm;codecs=opus", "audio/webm", "audio"),
        (b"OggS\x00\x02" + b"\x00" * 20, "", "audio/ogg", "audio"),
        (_ftyp(b"M4A ", b"M4A ", b"mp42"), "", "audio/mp4", "audio"),
        (_ftyp(b"iso5", b"iso5", b"mp41"), "audio/mp4", "audio/mp4", "audio"),  # Safari's recorder
        (b"\xff\xf1\x50\x80" + b"\x00" * 10, "", "audio/aac", "audio"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "", "audio/wav", "audio"),
        (b"ID3\x04\x00\x00" + b"\x00" * 10, "", "audio/mpeg", "audio"),
        (b"\xff\xfb\x90\x64" + b"\x00" * 10, "", "audio/mpeg", "audio"),
        (b"%PDF-1.7\n", "", "application/pdf", "document"),
    ],
)
def test_sniff_recognises_each_allowed_format(head, declared, mime, kind):
    found = sniff(head, declared)
    assert found is not None
    assert (found.mime, found.kind) == (mime, kind)


@pytest.mark.parametrize(
    "head",
    [
        b"MZ\x90\x00\x03",  # Windows executable
        b"\x7fELF\x02\x01",  # Linux executable
        b"PK\x03\x04\x14\x00",  # zip / docx
        b"GIF89a\x01\x00",  # GIF is not on the list
        b"<html><body>",
        _ftyp(b"avif", b"avif", b"mif1"),  # AVIF is not on the list
        _ftyp(b"mif1", b"avif"),
        b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska",  # Matroska, not WebM
        b"",
    ],
)
def test_sniff_refuses_anything_else(head):
    assert sniff(head, "image/jpeg") is None
