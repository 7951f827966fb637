"""A file's type, decided from its first bytes (magic numbers), against an allow-list.

What the device declares (`filetype`) is never trusted for the type; it only tells audio from
video in the containers that hold either (WebM, MP4).
"""

from __future__ import annotations

from dataclasses import dataclass

HEAD_BYTES = 4096  # enough for every signature below


@dataclass(frozen=True)
class Sniffed:
    mime: str
    kind: str  # photo | video | audio | document


_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
_M4A_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"iso7", b"iso8", b"iso9",
    b"mp41", b"mp42", b"mp71", b"avc1", b"dash", b"MSNV", b"M4V ", b"M4VH", b"M4VP",
    b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"f4v ", b"mmp4",
}
_OLD_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def _iso_bmff(head: bytes, declared_type: str) -> Sniffed | None:
    """ISO base media (MP4, QuickTime, M4A, HEIC): an `ftyp` box with a major brand."""
    if head[4:8] != b"ftyp" or len(head) < 12:
        return None
    size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    compatible = {head[i : i + 4] for i in range(16, min(size, len(head)) - 3, 4)}
    brands = {major} | compatible
    if major in _HEIC_BRANDS:
        generic = {b"mif1", b"msf1"}
        if major in generic and b"avif" in compatible and not compatible & (_HEIC_BRANDS - generic):
            return None  # AVIF: not on the list
        return Sniffed("image/heic", "photo")
    if major in _M4A_BRANDS:
        return Sniffed("audio/mp4", "audio")
    if major == b"qt  ":
        return Sniffed("video/quicktime", "video")
    if major in _MP4_BRANDS or brands & _MP4_BRANDS:
        # One MP4 container holds either (Safari records audio as MP4 with generic brands).
        if declared_type.lower().startswith("audio/"):
            return Sniffed("audio/mp4", "audio")
        return Sniffed("video/mp4", "video")
    return None


def _mpeg_audio(head: bytes) -> Sniffed | None:
    if head[:3] == b"ID3":
        return Sniffed("audio/mpeg", "audio")
    if len(head) < 2 or head[0] != 0xFF:
        return None
    if head[1] & 0xF6 == 0xF0:  # ADTS: sync 0xFFF, layer 00
        return Sniffed("audio/aac", "audio")
    if head[1] & 0xE0 == 0xE0 and (head[1] >> 1) & 0x3 == 0x1:  # MPEG audio layer III
        return Sniffed("audio/mpeg", "audio")
    return None


def sniff(head: bytes, declared_type: str = "") -> Sniffed | None:
    """The allowed type of a file whose first bytes are `head`, or None when it is not allowed."""
    if head[:3] == b"\xff\xd8\xff":
        return Sniffed("image/jpeg", "photo")
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return Sniffed("image/png", "photo")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", "photo")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio/wav", "audio")
    if head[:4] == b"\x1a\x45\xdf\xa3":  # EBML: Matroska family; only WebM is allowed
        if b"webm" not in head[:64]:
            return None
        if declared_type.lower().startswith("audio/"):
            return Sniffed("audio/webm", "audio")
        return Sniffed("video/webm", "video")
    if head[:4] == b"OggS":
        return Sniffed("audio/ogg", "audio")
    if head[:5] == b"%PDF-":
        return Sniffed("application/pdf", "document")
    iso = _iso_bmff(head, declared_type)
    if iso is not None:
        return iso
    if head[4:8] in _OLD_QUICKTIME_ATOMS:
        return Sniffed("video/quicktime", "video")
    return _mpeg_audio(head)


def kind_of_declared_type(filetype: str) -> str | None:
    """The kind a declared MIME type suggests (used only to pick the size limit early)."""
    filetype = filetype.lower()
    if filetype.startswith("image/"):
        return "photo"
    if filetype.startswith("video/"):
        return "video"
    if filetype.startswith("audio/"):
        return "audio"
    if filetype == "application/pdf":
        return "document"
    return None
