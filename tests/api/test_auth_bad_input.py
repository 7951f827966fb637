"""Bad input to the passkey ceremonies (/auth/*) and to sign-out answers a clear 4xx and changes
nothing: bodies that are not JSON objects, fields of the wrong type, huge or NUL-bearing values,
used, expired and unknown invitation tokens, and WebAuthn answers that are malformed, replayed or
forged (table-driven, then any field of a real answer spoilt by Hypothesis).

A refused request may leave an audit event (auth.signin_failed), spend its challenge (deleted
before verifying, so that it cannot be tried twice) and count against the rate limits; nothing
else changes. The limits are reset before each request here so that they do not hide the checks
behind them (tests/api/test_auth_ceremonies.py and test_auth_pages.py test the limits).
"""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.accounts.invitations import create_invitation
from server.accounts.sessions import COOKIE_NAME
from server.accounts.tables import Invitation, Passkey, User
from server.clock import now
from tests.api.test_access_matrix import WRITES, app_routes
from tests.api.test_form_bad_input import CHINESE, MB, Snapshots, changed, form_routes
from tests.support.auth import csrf, sign_in
from tests.support.passkey import SoftPasskey, enroll_via_api

CEREMONIES = ["POST /auth/login/options", "POST /auth/login/verify", "POST /auth/register/options", "POST /auth/register/verify"]
SIGNOUT = "POST /signout"
JSON = {"Content-Type": "application/json"}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def _invite(username: str = "li.na") -> str:
    token, _ = await create_invitation(display_name="李娜", role="grid_worker", area_code="440106004001", username=username)
    return token


class Refusals:
    """Sends requests and collects every answer that is a 5xx, a 4xx without a Chinese reason in
    JSON, or a refusal that changed the database."""

    def __init__(self, client, app) -> None:
        self.client = client
        self.app = app
        self.snapshots = Snapshots()
        self.wrong: dict[str, str] = {}

    async def post(self, label: str, url: str, **kwargs):
        self.app.state.pop("auth_limiter", None)  # fresh rate limits: a 429 would hide what is behind it
        before = await self.snapshots.take()
        response = await self.client.post(url, follow_redirects=False, **kwargs)
        after = await self.snapshots.take()
        status = response.status_code
        if status >= 500:
            self.wrong[label] = f"{status} {response.text[:200]}"
        elif status >= 400:
            if "json" not in response.headers.get("content-type", "") or not CHINESE.search(str(response.json().get("reason", ""))):
                self.wrong[label] = f"{status} without a Chinese reason: {response.text[:200]}"
            if changed(before, after):
                self.wrong[label] = f"{status} but changed {changed(before, after)}"
        return response

    async def close(self) -> None:
        await self.snapshots.close()
        assert self.wrong == {}, "\n".join(f"{where}: {what}" for where, what in self.wrong.items())


async def test_every_write_outside_the_api_is_fuzzed_here_or_with_the_forms(app):
    auth = sorted(key for key in app_routes(app) if key.split(" ", 1)[0] in WRITES and key.split(" ", 1)[1].startswith("/auth/"))
    assert auth == CEREMONIES, "a new ceremony endpoint: give it bad input here"
    outside_api = {key for key in app_routes(app) if key.split(" ", 1)[0] in WRITES and not key.split(" ", 1)[1].startswith("/api/")}
    assert outside_api == {*CEREMONIES, SIGNOUT, *form_routes(app)}


# --- bodies that are not what a ceremony reads ----------------------------------------------

NOT_OBJECTS = {
    "empty": b"",
    "text": b"not json",
    "truncated": b"{\"token\": ",
    "array": b"[1, 2]",
    "null": b"null",
    "number": b"42",
    "NaN": b"NaN",
    "1e309": b"1e309",
    "invalid UTF-8": b"{\"token\": \"\xff\xfe\"}",
    "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
    "objects nested 100,000 deep": b"{\"a\":" * 100_000 + b"1" + b"}" * 100_000,
    "1 MB of NUL": b"\x00" * MB,
    "a form": b"token=abc&username=worker",
}
FIELDS = {
    "token a number": {"token": 12345},
    "token null": {"token": None},
    "token a list": {"token": ["a"]},
    "token 1 MB": {"token": "t" * MB},
    "token with NUL": {"token": "abc\x00def"},
    "token a lone surrogate": {"token": "\ud800"},
    "username a number": {"username": 7},
    "username a list": {"username": ["worker"]},
    "username 1 MB": {"username": "w" * MB},
    "username with NUL": {"username": "work\x00er"},
    "username of control characters": {"username": "\x01\x1b[31m\u202e"},
    "username 5000 digits": {"username": "9" * 5000},
    "duplicate keys": "{\"token\": \"a\", \"token\": 1, \"username\": \"worker\", \"username\": [1]}",
    "id, rawId and response of the wrong types": {"id": 1, "rawId": [None], "type": {}, "response": "x"},
    "response a list": {"id": "abc", "rawId": "abc", "type": "public-key", "response": [1, 2]},
    "clientDataJSON not base64": {"id": "abc", "rawId": "abc", "type": "public-key", "response": {"clientDataJSON": "!!!"}},
}


def _body(value) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    return json.dumps(value).encode("utf-8", "surrogatepass")


@pytest.mark.parametrize("key", CEREMONIES)
async def test_ceremony_bodies_of_the_wrong_shape_are_a_4xx_with_a_reason(client, demo, app, key):
    await csrf(client)
    await _invite()
    refusals = Refusals(client, app)
    url = key.split(" ", 1)[1]
    for label, body in {**NOT_OBJECTS, **FIELDS}.items():
        for content_type in ("application/json", "application/x-www-form-urlencoded", "text/plain"):
            await refusals.post(f"{label} as {content_type}", url, content=_body(body), headers={"Content-Type": content_type})
    await refusals.post("an oversized body (11 MB)", url, content=b"{\"token\": \"" + b"x" * (11 * MB) + b"\"}", headers=JSON)
    await refusals.close()


@pytest.mark.parametrize("as_htmx", [False, True])
async def test_sign_out_with_any_body_signs_out_and_never_fails(client, demo, app, as_htmx):
    refusals = Refusals(client, app)
    headers = {"HX-Request": "true"} if as_htmx else {}
    for label, body in {**NOT_OBJECTS, **FIELDS}.items():
        await sign_in(client, "worker")
        response = await refusals.post(label, "/signout", content=_body(body), headers=headers | {"Content-Type": "application/json"})
        assert response.status_code in ((200,) if as_htmx else (303,)), f"{label}: {response.status_code}"
        assert (await client.get("/account/passkeys")).status_code == 401, f"{label}: still signed in"
    await refusals.close()


# --- invitation tokens ----------------------------------------------------------------------


async def test_used_expired_unknown_and_malformed_invitation_tokens_are_refused_and_change_nothing(client, demo, app):
    await csrf(client)
    used = await _invite("used.one")
    await enroll_via_api(client, used)
    client.cookies.delete(COOKIE_NAME)
    expired = await _invite("expired.one")
    await Invitation.update({Invitation.expires_at: now() - timedelta(seconds=1)}).where(Invitation.username == "expired.one")
    live = await _invite("live.one")
    refusals = Refusals(client, app)
    for label, token in {
        "used": used, "expired": expired, "unknown": "A" * len(live), "empty": "", "the live one with a character more": live + "x",
        "the live one cut short": live[:-1], "the live one upper-cased": live.upper(), "path": "../../etc/passwd",
        "NUL": "\x00", "1 MB": "t" * MB,
    }.items():
        response = await refusals.post(label, "/auth/register/options", json={"token": token})
        if response.status_code != 400:
            refusals.wrong[label] = f"{response.status_code}, expected 400"
    for label, reason in {"used": "已被使用", "expired": "已过期"}.items():
        response = await client.post("/auth/register/options", json={"token": used if label == "used" else expired})
        assert reason in response.json()["reason"]
    await refusals.close()
    assert (await Invitation.select(Invitation.used_at).where(Invitation.username == "live.one").first())["used_at"] is None


async def test_an_invitation_that_expires_during_the_ceremony_is_refused_and_not_consumed(client, demo, app):
    await csrf(client)
    token = await _invite()
    options = (await client.post("/auth/register/options", json={"token": token})).json()
    await Invitation.update({Invitation.expires_at: now() - timedelta(seconds=1)}).where(Invitation.id > 0)
    refusals = Refusals(client, app)
    response = await refusals.post("expired since the options", "/auth/register/verify", json=SoftPasskey().create(options))
    await refusals.close()
    assert response.status_code == 400 and "已过期" in response.json()["reason"]
    assert await User.count().where(User.username == "li.na") == 0
    assert (await Invitation.select(Invitation.used_at).first())["used_at"] is None


# --- forged answers -------------------------------------------------------------------------


def _client_data(answer: dict, **change) -> str:
    data = json.loads(base64.urlsafe_b64decode(answer["response"]["clientDataJSON"] + "=="))
    return b64(json.dumps(data | change).encode())


def _with(answer: dict, path: str, value) -> dict:
    """The answer with the field at "response.x" (dotted) set to value; the sentinel DROP removes it."""
    copy = json.loads(json.dumps(answer))
    *parents, last = path.split(".")
    target = copy
    for name in parents:
        target = target[name]
    if value is DROP:
        target.pop(last, None)
    else:
        target[last] = value
    return copy


DROP = object()


def _sign_in_forgeries(answer: dict, other: dict) -> dict[str, dict | bytes]:
    """Forged or malformed versions of a real sign-in answer (`other`: another person's real answer)."""
    return {
        "unknown credential id": _with(_with(answer, "id", b64(b"\x01" * 32)), "rawId", b64(b"\x01" * 32)),
        "credential id with NUL": _with(answer, "id", "ab\x00cd"),
        "credential id 1 MB": _with(answer, "id", "A" * MB),
        "credential id a number": _with(_with(answer, "id", 5), "rawId", 5),
        "no id at all": _with(_with(answer, "id", DROP), "rawId", DROP),
        "another person's credential id": _with(_with(answer, "id", other["id"]), "rawId", other["rawId"]),
        "signature of junk": _with(answer, "response.signature", b64(b"junk" * 16)),
        "signature not base64": _with(answer, "response.signature", "!!!*"),
        "signature missing": _with(answer, "response.signature", DROP),
        "authenticatorData truncated": _with(answer, "response.authenticatorData", answer["response"]["authenticatorData"][:8]),
        "authenticatorData a number": _with(answer, "response.authenticatorData", 37),
        "authenticatorData missing": _with(answer, "response.authenticatorData", DROP),
        "clientDataJSON not JSON": _with(answer, "response.clientDataJSON", b64(b"not json")),
        "clientDataJSON an array": _with(answer, "response.clientDataJSON", b64(b"[1]")),
        "clientDataJSON nested 100,000 deep": _with(answer, "response.clientDataJSON", b64(b"[" * 100_000 + b"]" * 100_000)),
        "clientDataJSON of invalid UTF-8": _with(answer, "response.clientDataJSON", b64(b"{\"challenge\": \"\xff\"}")),
        "challenge with NUL": _with(answer, "response.clientDataJSON", _client_data(answer, challenge="ab\x00")),
        "challenge a number": _with(answer, "response.clientDataJSON", _client_data(answer, challenge=1)),
        "challenge 1 MB": _with(answer, "response.clientDataJSON", _client_data(answer, challenge="c" * MB)),
        "challenge of another person's answer": _with(answer, "response.clientDataJSON", other["response"]["clientDataJSON"]),
        "type webauthn.create": _with(answer, "response.clientDataJSON", _client_data(answer, type="webauthn.create")),
        "another origin": _with(answer, "response.clientDataJSON", _client_data(answer, origin="http://evil.example")),
        "userHandle of another person": _with(answer, "response.userHandle", other["response"].get("userHandle", b64(b"x"))),
        "userHandle a number": _with(answer, "response.userHandle", 9),
        "userHandle with NUL": _with(answer, "response.userHandle", "\x00"),
        "response a list": _with(answer, "response", [answer["response"]]),
        "response a string": _with(answer, "response", "x"),
        "response null": _with(answer, "response", None),
        "type not public-key": _with(answer, "type", "password"),
    }


async def _signed_up(client, username: str) -> SoftPasskey:
    passkey, answer = await enroll_via_api(client, await _invite(username))
    assert answer.status_code == 200, answer.text
    client.cookies.delete(COOKIE_NAME)
    return passkey


async def _login_options(client, app, username: str | None = None) -> dict:
    app.state.pop("auth_limiter", None)
    response = await client.post("/auth/login/options", json={"username": username} if username else {})
    assert response.status_code == 200, response.text
    return response.json()


async def test_forged_and_malformed_sign_in_answers_are_refused_and_change_nothing(client, demo, app):
    await csrf(client)
    mine = await _signed_up(client, "li.na")
    other = await _signed_up(client, "zhao.lei")
    refusals = Refusals(client, app)
    other_answer = other.get(await _login_options(client, app))
    forgeries = _sign_in_forgeries(mine.get(await _login_options(client, app)), other_answer)
    for label in forgeries:
        answer = mine.get(await _login_options(client, app))
        forged = _sign_in_forgeries(answer, other_answer)[label]
        response = await refusals.post(label, "/auth/login/verify", json=forged)
        if response.status_code < 400:
            refusals.wrong[label] = f"{response.status_code}: a forged answer signed in"
        client.cookies.delete(COOKIE_NAME)
    good = mine.get(await _login_options(client, app))
    assert (await client.post("/auth/login/verify", json=good)).status_code == 200
    client.cookies.delete(COOKIE_NAME)
    replay = await refusals.post("replayed", "/auth/login/verify", json=good)
    assert replay.status_code == 400
    await refusals.close()


def _registration_forgeries(answer: dict) -> dict[str, dict]:
    return {
        "attestationObject of junk": _with(answer, "response.attestationObject", b64(b"junk" * 10)),
        "attestationObject truncated": _with(answer, "response.attestationObject", answer["response"]["attestationObject"][:20]),
        "attestationObject a number": _with(answer, "response.attestationObject", 1),
        "attestationObject missing": _with(answer, "response.attestationObject", DROP),
        "attestation of format packed without a statement": _with(answer, "response.attestationObject", b64(bytes.fromhex("a363666d74667061636b65646761747453746d74a068617574684461746141"))),
        "id not rawId": _with(answer, "id", b64(b"\x02" * 32)),
        "id with NUL": _with(answer, "id", "a\x00b"),
        "clientDataJSON of a sign-in": _with(answer, "response.clientDataJSON", _client_data(answer, type="webauthn.get")),
        "challenge with NUL": _with(answer, "response.clientDataJSON", _client_data(answer, challenge="\x00")),
        "another origin": _with(answer, "response.clientDataJSON", _client_data(answer, origin="http://evil.example")),
        "response a list": _with(answer, "response", [1]),
    }


async def test_forged_and_malformed_registrations_are_refused_and_leave_the_invitation_usable(client, demo, app):
    await csrf(client)
    token = await _invite()
    refusals = Refusals(client, app)
    labels = _registration_forgeries(SoftPasskey().create((await client.post("/auth/register/options", json={"token": token})).json()))
    for label in labels:
        app.state.pop("auth_limiter", None)
        options = (await client.post("/auth/register/options", json={"token": token})).json()
        forged = _registration_forgeries(SoftPasskey().create(options))[label]
        response = await refusals.post(label, "/auth/register/verify", json=forged)
        if response.status_code < 400:
            refusals.wrong[label] = f"{response.status_code}: a forged registration was taken"
            break
    await refusals.close()
    assert await User.count().where(User.username == "li.na") == 0 and await Passkey.count() == 0
    app.state.pop("auth_limiter", None)
    passkey = SoftPasskey()
    options = (await client.post("/auth/register/options", json={"token": token})).json()
    answer = passkey.create(options)
    assert (await client.post("/auth/register/verify", json=answer)).status_code == 200
    replay = await Refusals(client, app).post("replayed", "/auth/register/verify", json=answer)
    assert replay.status_code == 400 and await Passkey.count() == 1


@pytest.mark.parametrize(
    ("transports", "stored"),
    [(5, ""), ("internal", ""), ([1, None, {"a": 1}, "usb"], "usb"), (["x" * MB], "x" * 200), ({"internal": 1}, "")],
    ids=["a number", "a string", "names among junk", "a 1 MB name", "an object"],
)
async def test_registration_transports_that_are_not_a_list_of_names_are_not_kept(client, demo, transports, stored):
    # Transports are a hint for later sign-ins, outside what the authenticator signs: a number was a
    # 500 after the answer had been verified, and a string was kept letter by letter ("i,n,t,e,r,…").
    await csrf(client)
    options = (await client.post("/auth/register/options", json={"token": await _invite()})).json()
    answer = _with(SoftPasskey().create(options), "response.transports", transports)
    response = await client.post("/auth/register/verify", json=answer)
    assert response.status_code == 200, response.text
    assert (await Passkey.select(Passkey.transports).first())["transports"] == stored


async def test_sign_in_answers_with_junk_in_fields_nothing_signs_still_sign_in(client, demo, app):
    # clientExtensionResults and authenticatorAttachment are the browser's, not signed: refusing
    # them would refuse real phones whose browsers fill them differently.
    await csrf(client)
    passkey = await _signed_up(client, "li.na")
    for path, value in [("clientExtensionResults", [1, {"a": None}]), ("authenticatorAttachment", {"x": 1}), ("unknown", "x" * 1000)]:
        answer = _with(passkey.get(await _login_options(client, app)), path, value)
        response = await client.post("/auth/login/verify", json=answer)
        assert response.status_code == 200, f"{path}: {response.text}"
        client.cookies.delete(COOKIE_NAME)


# --- any field of a real answer spoilt ------------------------------------------------------

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70), st.floats(allow_nan=True),
    st.text(max_size=40), st.text(alphabet="\x00\ud7ff\uffff-_=+/", max_size=10), st.binary(max_size=64).map(b64),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.just("A" * 100_000),
)


SIGN_IN_PATHS = ["id", "rawId", "type", "response", "response.clientDataJSON", "response.authenticatorData", "response.signature",
                 "response.userHandle", "authenticatorAttachment", "clientExtensionResults", "unknown"]
REGISTRATION_PATHS = ["id", "rawId", "type", "response", "response.clientDataJSON", "response.attestationObject", "response.transports",
                      "authenticatorAttachment", "clientExtensionResults", "unknown"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spoilt=st.lists(st.tuples(st.sampled_from(SIGN_IN_PATHS), st.one_of(JUNK, st.just(DROP))), min_size=1, max_size=3))
async def test_a_sign_in_answer_with_any_field_spoilt_is_refused_and_changes_nothing(client, demo, app, spoilt):
    await csrf(client)
    if not await Passkey.count():
        await _signed_up(client, "li.na")
    passkey = SoftPasskey()  # never the enrolled one: nothing spoilt may sign in
    enrolled = await Passkey.select(Passkey.credential_id).first()
    answer = passkey.get(await _login_options(client, app))
    answer = _with(_with(answer, "id", enrolled["credential_id"]), "rawId", enrolled["credential_id"])
    for path, value in spoilt:
        if path.startswith("response.") and not isinstance(answer.get("response"), dict):
            continue
        answer = _with(answer, path, value)
    refusals = Refusals(client, app)
    response = await refusals.post(f"{spoilt!r:.200}", "/auth/login/verify", content=json.dumps(answer).encode("utf-8", "surrogatepass"),
                                   headers=JSON)
    await refusals.close()
    assert response.status_code in (400, 401), response.text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(spoilt=st.lists(st.tuples(st.sampled_from(REGISTRATION_PATHS), st.one_of(JUNK, st.just(DROP))), min_size=1, max_size=3))
async def test_a_registration_with_any_field_spoilt_never_fails_and_a_refusal_changes_nothing(client, demo, app, spoilt):
    await csrf(client)
    app.state.pop("auth_limiter", None)
    token = await _invite(f"user.{await Invitation.count()}")
    options = (await client.post("/auth/register/options", json={"token": token})).json()
    answer = SoftPasskey().create(options)
    for path, value in spoilt:
        if path.startswith("response.") and not isinstance(answer.get("response"), dict):
            continue
        answer = _with(answer, path, value)
    refusals = Refusals(client, app)
    await refusals.post(f"{spoilt!r:.200}", "/auth/register/verify", content=json.dumps(answer).encode("utf-8", "surrogatepass"), headers=JSON)
    client.cookies.delete(COOKIE_NAME)
    await refusals.close()


# --- the same bodies to the JSON API --------------------------------------------------------


@pytest.mark.parametrize("body", [NOT_OBJECTS["invalid UTF-8"], NOT_OBJECTS["nested 100,000 deep"], NOT_OBJECTS["objects nested 100,000 deep"]],
                         ids=["invalid UTF-8 in a string", "arrays nested 100,000 deep", "objects nested 100,000 deep"])
@pytest.mark.parametrize("url", ["/auth/login/options", "/api/sync/push", "/api/referrals"])
async def test_a_json_body_no_decoder_can_read_is_a_400_everywhere(client, demo, url, body):
    # Litestar let UnicodeDecodeError and RecursionError out of its JSON decoding: a 500 on every
    # endpoint with a JSON body (server/validation/request.py); the push's own decoder too.
    await sign_in(client, "worker")
    response = await client.post(url, content=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.json()["reason"] in ("请求内容格式不正确。", "请求内容不是有效的 JSON。")


async def test_nul_in_a_user_name_a_credential_id_or_a_challenge_is_refused_not_a_500(client, demo, app):
    # PostgreSQL compares no text holding NUL: each was a 500 there (SQLite answered).
    await csrf(client)
    passkey = await _signed_up(client, "li.na")
    options = await client.post("/auth/login/options", json={"username": "li.na\x00"})
    assert options.status_code == 200 and len(options.json()["allowCredentials"]) == 1  # an unknown name's decoy
    answer = passkey.get(await _login_options(client, app))
    for forged in (_with(answer, "id", "ab\x00"), _with(answer, "response.clientDataJSON", _client_data(answer, challenge="ab\x00"))):
        response = await client.post("/auth/login/verify", json=forged)
        assert response.status_code == 400 and response.json()["reason"] == "通行密钥的应答格式不正确。", response.text
