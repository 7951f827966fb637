"""Bad input answers a clear 4xx in JSON and changes nothing: malformed push envelopes, wrong types
in every JSON API, huge strings, and path-traversal names for uploads and evidence.

(Files whose bytes contradict their claimed type: tests/api/test_tus_verification.py and
test_evidence_attach.py; evidence ids and hashes that are paths: test_evidence_attach.py.)
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from server.evidence.tables import Evidence
from server.households.tables import Household
from server.referrals.tables import Referral
from server.settings import get_settings
from server.uploads.tables import Upload
from sync.tables import SyncMutation
from tests.api.test_sync_support import household_args, mutation, new_client_id, push
from tests.support.auth import sign_in
from tests.support.media import TUS, attach, attach_args, case_in, clean_media  # noqa: F401
from tests.support.media import jpeg, metadata, send, sha256, upload

JSON = {"Content-Type": "application/json"}


def assert_clear_error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] and body["reason"], body
    return body


async def nothing_was_applied() -> None:
    assert await SyncMutation.count() == 0
    assert await Household.count() == 48  # the demo's


# --- push envelopes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"{\"client_id\": ",
        b"\xff\xfe\x00garbage",
        b"[]",
        b"null",
        b"42",
        b"\"a string\"",
    ],
    ids=["empty", "text", "truncated", "binary", "array", "null", "number", "string"],
)
async def test_push_body_that_is_not_an_envelope_is_400(client, demo, body):
    await sign_in(client, "worker")
    response = await client.post("/api/sync/push", content=body, headers=JSON)
    assert_clear_error(response)
    await nothing_was_applied()


def envelope(**change) -> dict:
    base = {"client_id": new_client_id(), "mutations": [mutation(1, "household.upsert", household_args())]}
    return base | change


@pytest.mark.parametrize(
    "body",
    [
        {"mutations": []},
        {"client_id": new_client_id()},
        envelope(client_id=12345678),
        envelope(client_id=None),
        envelope(client_id="short"),
        envelope(client_id="has spaces and / slashes"),
        envelope(client_id="x" * 65),
        envelope(mutations={"1": "household.upsert"}),
        envelope(mutations="household.upsert"),
        envelope(mutations=[None]),
        envelope(mutations=[{"id": "1", "name": "household.upsert", "args": {}}]),
        envelope(mutations=[{"id": 1.5, "name": "household.upsert", "args": {}}]),
        envelope(mutations=[{"id": -1, "name": "household.upsert", "args": {}}]),
        envelope(mutations=[{"id": 1, "name": 7, "args": {}}]),
        envelope(mutations=[{"id": 1, "name": "", "args": {}}]),
        envelope(mutations=[{"id": 1, "name": "household.upsert", "args": []}]),
        envelope(mutations=[{"id": 1, "name": "household.upsert", "args": "x"}]),
        envelope(mutations=[{"id": 1, "name": "household.upsert", "args": {}, "base_version": "one"}]),
        envelope(mutations=[{"id": 1, "name": "household.upsert", "args": {}, "created_at": 20260523}]),
        envelope(mutations=[{"name": "household.upsert", "args": {}}]),
        envelope(mutations=[{"id": 1, "args": {}}]),
    ],
    ids=lambda body: json.dumps(body, ensure_ascii=False)[:60],
)
async def test_push_envelope_with_wrong_types_or_missing_fields_is_400_and_applies_nothing(client, demo, body):
    await sign_in(client, "worker")
    response = await client.post("/api/sync/push", json=body)
    assert_clear_error(response)
    await nothing_was_applied()


async def test_push_of_more_than_a_thousand_mutations_is_400_and_applies_none(client, demo):
    await sign_in(client, "worker")
    mutations = [mutation(i, "household.upsert", household_args(seed=i % 900)) for i in range(1, 1002)]
    response = await push(client, new_client_id(), mutations)
    body = assert_clear_error(response)
    assert "mutations" in body.get("details", "")
    await nothing_was_applied()


async def test_push_with_a_huge_mutation_name_is_400(client, demo):
    await sign_in(client, "worker")
    response = await push(client, new_client_id(), [mutation(1, "x" * 100_000, {})])
    assert_clear_error(response)
    await nothing_was_applied()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"address": "路" * 1_000_000}, "address"),
        ({"members": [{"name": "王" * 100_000, "id_number": "440106198001010012", "relation": "self"}]}, "members"),
        ({"address": 12}, "address"),
        ({"members": "王某"}, "members"),
        ({"area": ["440106004001"]}, "area"),
        ({"address": "天河路\x001号"}, "address"),
    ],
    ids=["address 1M chars", "member name 100k chars", "address number", "members string", "area list", "address with NUL"],
)
async def test_push_household_with_huge_or_mistyped_fields_is_rejected_naming_the_field(client, demo, change, field):
    await sign_in(client, "worker")
    args = household_args() | change
    response = await push(client, new_client_id(), [mutation(1, "household.upsert", args)])
    assert response.status_code == 200, response.text
    result = response.json()["results"][0]
    assert result["status"] == "rejected", result
    assert result["field"].startswith(field), result
    assert await Household.count() == 48


# --- wrong types in every JSON API ----------------------------------------------------------


def json_operations(app) -> list[tuple[str, str, bool]]:
    """(method, path, whether the body may be null) of every /api operation that takes a JSON body,
    from the OpenAPI document."""
    paths = app.openapi_schema.to_schema()["paths"]
    found = []
    for path, item in paths.items():
        for method, operation in item.items():
            content = (operation.get("requestBody") or {}).get("content", {}) if isinstance(operation, dict) else {}
            if path.startswith("/api/") and "application/json" in content:
                schema = content["application/json"]["schema"]
                nullable = {"type": "null"} in schema.get("oneOf", [])
                found.append((method.upper(), path, nullable))
    return sorted(found)


WRONG_BODIES = [b"[1, 2]", b"\"text\"", b"null", b"{\"x\": ", b"\xff\xfe"]
# Common field names with the wrong types: refused where the operation reads them, ignored elsewhere.
MISTYPED_FIELDS = b"{\"reason\": [], \"note\": {}, \"status\": 3, \"income\": \"many\", \"address\": 1, \"name\": [1]}"


async def real_path(path: str) -> str:
    """The path with every parameter filled by a record of 华师社区 (the demo worker's community)."""
    from tests.api.test_schemathesis import known_ids

    ids = await known_ids()
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path.replace("{", "").replace("}", "")


@pytest.mark.parametrize("username", ["worker", "supervisor", "district", "admin"])
async def test_every_json_api_answers_wrong_types_with_a_4xx_json_error(client, demo, app, username):
    await sign_in(client, username, kind="field" if username == "worker" else "desktop")
    operations = json_operations(app)
    assert len(operations) >= 15
    answers = []
    for method, path, nullable in operations:
        url = await real_path(path)
        for body in WRONG_BODIES:
            if nullable and body == b"null":  # an optional body: null is the same as none
                continue
            response = await client.request(method, url, content=body, headers=JSON)
            answers.append((method, path, body, response.status_code))
            assert 400 <= response.status_code < 500, f"{method} {url} {body!r}: {response.status_code} {response.text}"
            assert response.json()["error"], response.text
        response = await client.request(method, url, content=MISTYPED_FIELDS, headers=JSON)
        assert response.status_code < 500, f"{method} {url}: {response.status_code} {response.text}"
    assert any(status == 400 for *_, status in answers)


# --- path traversal -------------------------------------------------------------------------


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@pytest.mark.parametrize("filename", ["../../etc/passwd", "..\\..\\windows\\win.ini", "/etc/passwd", "a/../../../b.jpg"])
async def test_upload_filename_with_a_path_is_kept_as_a_label_and_never_names_a_file(client, demo, filename):
    await sign_in(client, "worker")
    home = get_settings().storage.media_dir.parent
    before = files_under(home)
    data = jpeg()
    headers = TUS | {"Upload-Length": str(len(data)), "Upload-Metadata": metadata(data, filename=filename)}
    created = await client.post("/api/uploads/", headers=headers)
    assert created.status_code == 201, created.text
    finished = await send(client, created.headers["location"], 0, data)
    assert finished.status_code == 204, finished.text
    row = await Upload.select().first()
    assert row["filename"] == filename[:255]
    stored = files_under(home) - before
    media = get_settings().storage.media_dir.resolve()
    assert stored, "the upload stored nothing"
    for path in stored:
        assert path.resolve().is_relative_to(media), path
        assert "passwd" not in path.name and "win.ini" not in path.name and ".." not in str(path.relative_to(home))
    assert {path.name for path in stored if path.parent.parent.name == "blobs"} == {sha256(data)}


async def test_upload_metadata_with_a_nul_character_is_400(client, demo):
    # PostgreSQL refuses NUL in text: this was a 500 there.
    await sign_in(client, "worker")
    data = jpeg()
    headers = TUS | {"Upload-Length": str(len(data)), "Upload-Metadata": metadata(data, filename="\x00.jpg")}
    response = await client.post("/api/uploads/", headers=headers)
    assert_clear_error(response)
    assert await Upload.count() == 0


@pytest.mark.parametrize("digest", ["../../etc/passwd", "../" * 20 + "x", "0" * 63 + "/", "%2e%2e%2fetc%2fpasswd"])
async def test_upload_with_a_path_for_its_hash_is_400(client, demo, digest):
    await sign_in(client, "worker")
    headers = TUS | {"Upload-Length": "10", "Upload-Metadata": metadata(b"0123456789", digest=digest)}
    response = await client.post("/api/uploads/", headers=headers)
    assert_clear_error(response)
    assert await Upload.count() == 0


async def test_evidence_device_and_note_with_paths_are_stored_as_text_and_served_by_hash(client, demo):
    await sign_in(client, "worker")
    data = jpeg()
    await upload(client, data)
    args = attach_args(await case_in("440106004001"), data, note="../../etc/passwd") | {"device": "../../../etc/shadow"}
    result = await attach(client, args)
    row = await Evidence.select().where(Evidence.id == uuid.UUID(result["evidence_id"])).first()
    assert (row["note"], row["device"]) == ("../../etc/passwd", "../../../etc/shadow")
    content = await client.get(f"/api/evidence/{result['evidence_id']}/content")
    assert content.status_code == 200
    assert content.content == data


@pytest.mark.parametrize(
    "url",
    ["/api/standards/1678295839719286", "/api/standards/0", "/api/standards/-1"],
)
async def test_integer_id_out_of_range_is_400_not_a_database_overflow(client, demo, url):
    # PostgreSQL's integer is 32-bit: a larger id made the driver fail (500) before this was checked.
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get(url)
    assert response.status_code in (400, 404), response.text
    assert response.json()["error"]


@pytest.mark.parametrize(
    ("method", "url", "username"),
    [
        ("PUT", "/api/organisations/99999999999", "district"),
        ("POST", "/api/procedures/emergency/99999999999/end", "district"),
        ("PUT", "/api/standards/99999999999", "admin"),
    ],
)
async def test_integer_ids_beyond_the_database_integer_are_400(client, demo, method, url, username):
    await sign_in(client, username, kind="desktop")
    response = await client.request(method, url, json={})
    assert_clear_error(response)


HUGE = "长" * 1_000_000


@pytest.mark.parametrize(
    ("username", "method", "url", "body", "field"),
    [
        ("district", "POST", "/api/organisations", {"name": HUGE, "kind": "charity", "area": "440106"}, "name"),
        ("admin", "POST", "/api/standards", {"area": "440106", "effective_from": "2022-01-01", "dibao_standard": "1200", "note": HUGE}, "note"),
        ("district", "POST", "/api/procedures/emergency", {"starts_on": "2022-01-01", "reason": HUGE}, None),
    ],
    ids=["organisation name", "standard note", "emergency reason"],
)
async def test_json_api_with_a_huge_string_answers_4xx_or_keeps_it_bounded(client, demo, username, method, url, body, field):
    await sign_in(client, username, kind="desktop")
    response = await client.request(method, url, json=body)
    assert response.status_code < 500, response.text
    if field is not None:
        assert assert_clear_error(response).get("field") == field
    else:  # accepted: stored cut to its column's limit, never whole
        assert response.status_code in (200, 201, 400, 409), response.text
        if response.status_code in (200, 201):
            assert len(response.json()["reason"]) <= 1000


@pytest.mark.parametrize("expected_status", [[[{}, None, []], []], {"a": 1}, 3])
async def test_a_code_that_is_a_list_or_an_object_is_400_naming_the_field(client, demo, expected_status):
    # Found by schemathesis: a list where a status code belongs was a 500 (unhashable).
    await sign_in(client, "supervisor", kind="desktop")
    referral = (await Referral.select(Referral.id).where(Referral.area.code == "440106004002").first())["id"]  # 石牌街道
    body = {"expected_status": expected_status, "status": "done", "note": "x"}
    response = await client.post(f"/api/referrals/{referral}/status", json=body)
    assert assert_clear_error(response)["field"] == "expected_status"


@pytest.mark.parametrize("amount", ["9" * 40, "1e30", "-" + "9" * 40])
async def test_an_amount_too_long_to_round_is_400_naming_the_field(client, demo, amount):
    # Decimal cannot round a 30-digit number to cents: this was a 500 (InvalidOperation).
    await sign_in(client, "admin", kind="desktop")
    body = {"area": "440106", "effective_from": "2022-01-01", "dibao_standard": amount}
    response = await client.post("/api/standards", json=body)
    assert assert_clear_error(response)["field"] == "dibao_standard"


@pytest.mark.parametrize(
    ("username", "url"),
    [
        ("supervisor", "/api/review/queue?worker=99999999999"),
        ("supervisor", "/review?worker=99999999999"),
        ("supervisor", "/api/review/queue?worker=-99999999999999999999"),
        ("supervisor", "/api/review/queue?cursor=%00%ff..%2F"),
        ("supervisor", "/api/review/queue?cursor=MjAyMi0wMS0wMXx4"),
        ("supervisor", "/api/review/queue?limit=99999999999999999999999"),
        ("supervisor", "/api/review/queue?from=2022-13-45"),
        ("district", "/review/audit?before=99999999999"),
        ("district", "/review/audit/export.csv?before=99999999999"),
        ("worker", "/api/sync/pull?limit=99999999999999999999"),
        ("worker", "/api/sync/pull?cursor=..%2F..%2Fetc"),
    ],
)
async def test_query_parameters_out_of_range_or_malformed_never_answer_5xx(client, demo, username, url):
    await sign_in(client, username, kind="field" if username == "worker" else "desktop")
    response = await client.get(url)
    assert response.status_code < 500, response.text


@pytest.mark.parametrize(
    "url",
    ["/api/standards/effective?area=%00OY", "/api/review/queue?q=%00", "/review?q=a%00b", "/api/households/%00"],
)
async def test_an_address_with_a_nul_character_is_400(client, demo, url):
    # Found by schemathesis on PostgreSQL, which cannot compare text with NUL: this was a 500.
    await sign_in(client, "supervisor", kind="desktop")
    response = await client.get(url)
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("client_id", ["x" * 65, "ü" * 30, "a b"])
async def test_pull_with_a_client_id_no_device_could_have_is_400(client, demo, client_id):
    # Found by schemathesis on PostgreSQL: a client id over 64 characters was a 500 (varchar overflow).
    await sign_in(client, "worker")
    response = await client.get("/api/sync/pull", params={"client_id": client_id})
    assert_clear_error(response)
