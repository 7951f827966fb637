"""Responses are gzip-compressed for phones on slow networks, except media and uploads."""

from __future__ import annotations

import gzip

from tests.support.auth import sign_in
from tests.support.media import attach, attach_args, case_in, clean_media  # noqa: F401
from tests.support.media import mp4, upload

GZIP = {"accept-encoding": "gzip"}


async def _raw(client, url: str, **headers) -> tuple[int, dict, bytes]:
    """Status, headers and the body as sent on the wire (not decoded by the client)."""
    async with client.stream("GET", url, headers={**GZIP, **headers}) as response:
        return response.status_code, dict(response.headers), b"".join([part async for part in response.aiter_raw()])


async def test_pages_scripts_and_sync_answers_are_gzipped(client, demo):
    await sign_in(client, "worker")
    for url in ("/field", "/static/vendor/htmx-2.0.11.min.js", "/api/sync/pull?limit=500"):
        status, headers, body = await _raw(client, url)
        assert status == 200, url
        assert headers.get("content-encoding") == "gzip", url
        assert "accept-encoding" in headers.get("vary", "").lower(), url
        assert len(gzip.decompress(body)) > len(body), url


async def test_no_compression_without_accept_encoding(client, demo):
    status, headers, body = await _raw(client, "/static/vendor/htmx-2.0.11.min.js", **{"accept-encoding": "identity"})
    assert status == 200 and "content-encoding" not in headers
    assert body.startswith(b"var htmx") or b"htmx" in body[:200]


async def test_evidence_is_sent_as_stored_so_ranges_stay_byte_exact(client, demo):
    await sign_in(client, "worker")
    data = mp4()
    await upload(client, data)
    evidence_id = (await attach(client, attach_args(await case_in("440106004001"), data, kind="video")))["evidence_id"]
    status, headers, body = await _raw(client, f"/api/evidence/{evidence_id}/content")
    assert status == 200 and "content-encoding" not in headers and body == data
    status, headers, body = await _raw(client, f"/api/evidence/{evidence_id}/content", range="bytes=10-19")
    assert status == 206 and "content-encoding" not in headers and body == data[10:20]
