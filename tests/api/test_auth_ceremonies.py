"""The four JSON ceremony endpoints, driven by a software passkey that py_webauthn verifies."""

from __future__ import annotations

from datetime import timedelta

from server.accounts.invitations import create_invitation
from server.accounts.sessions import COOKIE_NAME
from server.accounts.tables import Invitation, Passkey, User, WebAuthnChallenge
from server.audit.tables import AuditEvent
from server.clock import now
from tests.support.auth import csrf
from tests.support.passkey import SoftPasskey, enroll_via_api, sign_in_via_api


async def _invite(username="li.na", role="grid_worker", area="440106004001", **kwargs) -> str:
    token, _ = await create_invitation(display_name="李娜", role=role, area_code=area, username=username, **kwargs)
    return token


async def _actions() -> list[str]:
    return [r["action"] for r in await AuditEvent.select(AuditEvent.action).order_by(AuditEvent.id)]


async def test_register_options_answer_options_to_json_shape(client, demo):
    await csrf(client)
    token = await _invite()
    response = await client.post("/auth/register/options", json={"token": token})
    assert response.status_code == 200
    options = response.json()
    assert options["rp"]["id"] == "localhost"
    assert options["user"]["name"] == "li.na" and options["user"]["displayName"] == "李娜"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["hints"] == ["client-device"]
    assert isinstance(options["challenge"], str) and len(options["challenge"]) >= 43
    assert await WebAuthnChallenge.count() == 1


async def test_enrollment_creates_the_user_signs_in_and_consumes_the_invitation(client, demo):
    await csrf(client)
    token = await _invite()
    _, answer = await enroll_via_api(client, token)
    assert answer.status_code == 200, answer.text
    assert answer.json()["redirect"] == "/"
    set_cookie = answer.headers["set-cookie"]
    assert f"{COOKIE_NAME}=" in set_cookie and "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie
    assert "Secure" not in set_cookie  # served over http in the tests
    user = await User.select().where(User.username == "li.na").first()
    assert user["role"] == "grid_worker" and user["display_name"] == "李娜"
    home = await client.get("/")
    assert "李娜" in home.text and "华师社区" in home.text
    assert (await Invitation.select(Invitation.used_at).first())["used_at"] is not None
    assert "auth.enroll" in await _actions()


async def test_used_invitation_is_refused_with_a_chinese_reason(client, demo):
    await csrf(client)
    token = await _invite()
    await enroll_via_api(client, token)
    again = await client.post("/auth/register/options", json={"token": token})
    assert again.status_code == 400
    assert "已被使用" in again.json()["reason"]


async def test_expired_invitation_is_refused_and_not_consumed(client, demo):
    await csrf(client)
    token = await _invite()
    await Invitation.update({Invitation.expires_at: now() - timedelta(minutes=1)}).where(Invitation.id > 0)
    response = await client.post("/auth/register/options", json={"token": token})
    assert response.status_code == 400 and "已过期" in response.json()["reason"]
    assert (await Invitation.select(Invitation.used_at).first())["used_at"] is None


async def test_failed_registration_leaves_the_invitation_usable(client, demo):
    await csrf(client)
    token = await _invite()
    options = (await client.post("/auth/register/options", json={"token": token})).json()
    wrong_origin = SoftPasskey().create(options, origin="http://evil.localhost:8000")
    refused = await client.post("/auth/register/verify", json=wrong_origin)
    assert refused.status_code == 400 and "注册失败" in refused.json()["reason"]
    assert await User.count().where(User.username == "li.na") == 0
    _, answer = await enroll_via_api(client, token)
    assert answer.status_code == 200


async def test_registration_without_user_verification_is_refused(client, demo):
    await csrf(client)
    token = await _invite()
    _, answer = await enroll_via_api(client, token, SoftPasskey(user_verified=False))
    assert answer.status_code == 400
    assert await Passkey.count() == 0


async def test_reinvitation_adds_a_passkey_to_the_existing_user(client, demo):
    await csrf(client)
    worker = await User.select().where(User.username == "worker").first()
    token, _ = await create_invitation(display_name="王网格", role="grid_worker", area_code="440106004001", user_id=worker["id"])
    _, answer = await enroll_via_api(client, token)
    assert answer.status_code == 200
    assert await User.count() == 6
    assert await Passkey.count().where(Passkey.user == worker["id"]) == 1
    assert "王网格" in (await client.get("/")).text


async def test_discoverable_sign_in_opens_a_session(client, demo):
    await csrf(client)
    passkey, _ = await enroll_via_api(client, await _invite())
    client.cookies.delete(COOKIE_NAME)
    assert "李娜" not in (await client.get("/")).text
    options = (await client.post("/auth/login/options", json={})).json()
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    answer = await client.post("/auth/login/verify", json=passkey.get(options))
    assert answer.status_code == 200, answer.text
    assert "李娜" in (await client.get("/")).text
    row = await Passkey.select().first()
    assert row["last_used_at"] is not None and row["sign_count"] == 1
    assert (await _actions())[-1] == "auth.signin"


async def test_username_fallback_lists_only_that_persons_passkeys(client, demo):
    await csrf(client)
    passkey, _ = await enroll_via_api(client, await _invite())
    client.cookies.delete(COOKIE_NAME)
    options = (await client.post("/auth/login/options", json={"username": "LI.NA"})).json()
    assert [c["id"] for c in options["allowCredentials"]] == [passkey.id]
    answer = await client.post("/auth/login/verify", json=passkey.get(options))
    assert answer.status_code == 200


async def test_unknown_username_gets_an_answer_that_looks_the_same(client, demo):
    await csrf(client)
    first = (await client.post("/auth/login/options", json={"username": "nobody"})).json()
    second = (await client.post("/auth/login/options", json={"username": "nobody"})).json()
    assert len(first["allowCredentials"]) == 1
    assert first["allowCredentials"] == second["allowCredentials"]
    assert first["challenge"] != second["challenge"]


async def test_someone_elses_passkey_is_refused_for_a_named_user(client, demo):
    await csrf(client)
    mine, _ = await enroll_via_api(client, await _invite())
    await enroll_via_api(client, await _invite(username="zhao.lei"))
    client.cookies.delete(COOKIE_NAME)
    options = (await client.post("/auth/login/options", json={"username": "zhao.lei"})).json()
    options["allowCredentials"] = []  # a tampering client
    answer = await client.post("/auth/login/verify", json=mine.get(options))
    assert answer.status_code == 401
    assert "auth.signin_failed" in await _actions()


async def test_replayed_challenge_is_refused(client, demo):
    await csrf(client)
    passkey, _ = await enroll_via_api(client, await _invite())
    options = (await client.post("/auth/login/options", json={})).json()
    answer = passkey.get(options)
    assert (await client.post("/auth/login/verify", json=answer)).status_code == 200
    replay = await client.post("/auth/login/verify", json=answer)
    assert replay.status_code == 400
    assert "已被使用" in replay.json()["reason"]
    assert (await _actions())[-1] == "auth.signin_failed"


async def test_expired_challenge_is_refused(client, demo):
    await csrf(client)
    passkey, _ = await enroll_via_api(client, await _invite())
    options = (await client.post("/auth/login/options", json={})).json()
    await WebAuthnChallenge.update({WebAuthnChallenge.expires_at: now() - timedelta(seconds=1)}).where(WebAuthnChallenge.id > 0)
    answer = await client.post("/auth/login/verify", json=passkey.get(options))
    assert answer.status_code == 400 and "已过期" in answer.json()["reason"]


async def test_challenge_from_another_origin_is_refused(client, demo):
    await csrf(client)
    passkey, _ = await enroll_via_api(client, await _invite())
    options = (await client.post("/auth/login/options", json={})).json()
    answer = await client.post("/auth/login/verify", json=passkey.get(options, origin="http://localhost:9999"))
    assert answer.status_code == 401 and "验证失败" in answer.json()["reason"]


async def test_backwards_sign_counter_is_refused_and_logged(client, demo, caplog):
    await csrf(client)
    passkey, _ = await enroll_via_api(client, await _invite())
    for _ in range(3):
        assert (await sign_in_via_api(client, passkey)).status_code == 200
    answer = await sign_in_via_api(client, passkey, sign_count=2)
    assert answer.status_code == 401 and "计数器" in answer.json()["reason"]
    assert any("went backwards" in record.getMessage() for record in caplog.records)
    failed = await AuditEvent.select().where(AuditEvent.action == "auth.signin_failed").first()
    assert "backwards" in failed["detail"]["why"] if isinstance(failed["detail"], dict) else "backwards" in failed["detail"]


async def test_counter_that_stays_at_zero_is_allowed(client, demo):
    await csrf(client)
    passkey, _ = await enroll_via_api(client, await _invite(), SoftPasskey(count_step=0))
    for _ in range(2):
        assert (await sign_in_via_api(client, passkey)).status_code == 200


async def test_revoked_passkey_cannot_sign_in(client, demo):
    await csrf(client)
    passkey, _ = await enroll_via_api(client, await _invite())
    await Passkey.update({Passkey.revoked_at: now()}).where(Passkey.id > 0)
    answer = await sign_in_via_api(client, passkey)
    assert answer.status_code == 401 and "已被停用" in answer.json()["reason"]


async def test_ceremony_post_without_csrf_header_is_refused(client, demo):
    token = await _invite()
    await client.get("/signin")
    response = await client.post("/auth/register/options", json={"token": token})
    assert response.status_code == 403


async def test_enrollment_refuses_a_user_name_taken_since_the_invitation(client, demo):
    await csrf(client)
    token = await _invite()
    await User.update({User.username: "li.na"}).where(User.username == "worker3")
    _, answer = await enroll_via_api(client, token)
    assert answer.status_code == 400 and "已被他人使用" in answer.json()["reason"]
    assert (await Invitation.select(Invitation.used_at).first())["used_at"] is None
