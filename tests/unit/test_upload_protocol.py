"""Parsing the tus request headers."""

from __future__ import annotations

import base64
import hashlib

import pytest

from server.uploads.protocol import TusError, check_resumable, declared_sha256, parse_checksum, parse_length, parse_metadata


def test_metadata_pairs_are_base64_decoded_and_a_key_may_have_no_value():
    encoded = f"filename {base64.b64encode('厨房.jpg'.encode()).decode()},is_confidential,filetype aW1hZ2UvanBlZw=="
    assert parse_metadata(encoded) == {"filename": "厨房.jpg", "is_confidential": "", "filetype": "image/jpeg"}


def test_metadata_with_invalid_base64_is_400():
    with pytest.raises(TusError) as caught:
        parse_metadata("filename ***")
    assert caught.value.status_code == 400


def test_sha256_must_be_64_lowercase_hex():
    digest = hashlib.sha256(b"x").hexdigest()
    assert declared_sha256({"sha256": digest}) == digest
    for bad in ({}, {"sha256": digest.upper()}, {"sha256": digest[:-1]}):
        with pytest.raises(TusError):
            declared_sha256(bad)


def test_checksum_header_names_algorithm_and_base64_digest():
    digest = hashlib.sha1(b"abc").digest()
    assert parse_checksum(f"sha1 {base64.b64encode(digest).decode()}") == ("sha1", digest)
    assert parse_checksum(None) is None
    with pytest.raises(TusError) as caught:
        parse_checksum("crc32 AAAA")
    assert caught.value.status_code == 400


def test_lengths_and_version_are_checked():
    assert parse_length("42", "Upload-Length") == 42
    for bad in (None, "-1", "4.2", "x"):
        with pytest.raises(TusError):
            parse_length(bad, "Upload-Length")
    check_resumable("1.0.0")
    with pytest.raises(TusError) as caught:
        check_resumable("0.2.2")
    assert caught.value.status_code == 412
