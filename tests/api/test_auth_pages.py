"""The accounts pages: sign-in, enrollment, sign-out, own passkeys, invitations, people."""

from __future__ import annotations

import re
from datetime import timedelta

from server.accounts.invitations import create_invitation
from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import AuthSession, Invitation, Passkey, User
from server.audit.tables import AuditEvent
from server.clock import now
from tests.support.auth import csrf, sign_in
from tests.support.passkey import SoftPasskey, enroll_via_api, sign_in_via_api


async def _enrolled(client, username="li.na", area="440106004001", **kwargs) -> SoftPasskey:
    token, _ = await create_invitation(display_name="李娜", role="grid_worker", area_code=area, username=username, **kwargs)
    passkey, answer = await enroll_via_api(client, token)
    assert answer.status_code == 200, answer.text
    return passkey


async def test_signin_page_offers_a_passkey_button_and_a_username_fallback(client):
    page = await client.get("/signin")
    assert page.status_code == 200
    assert "data-passkey-signin" in page.text and "data-passkey-username" in page.text
    assert 'autocomplete="username webauthn"' in page.text
    assert '<meta name="csrf-token"' in page.text and "/static/js/passkeys.js" in page.text


async def test_enroll_page_shows_the_invitation(client, demo):
    token, _ = await create_invitation(display_name="李娜", role="grid_worker", area_code="440106004001", username="li.na")
    page = await client.get(f"/enroll/{token}")
    assert page.status_code == 200
    assert "李娜" in page.text and "华师社区" in page.text and "li.na" in page.text
    assert f'data-passkey-enroll="{token}"' in page.text


async def test_enroll_page_refuses_used_expired_and_unknown_links(client, demo):
    await csrf(client)
    token, _ = await create_invitation(display_name="李娜", role="grid_worker", area_code="440106004001")
    expired, _ = await create_invitation(display_name="赵磊", role="grid_worker", area_code="440106004001")
    await Invitation.update({Invitation.expires_at: now() - timedelta(seconds=1)}).where(Invitation.display_name == "赵磊")
    await enroll_via_api(client, token)
    used = await client.get(f"/enroll/{token}")
    assert used.status_code == 410 and "已被使用" in used.text and "data-passkey-enroll" not in used.text
    late = await client.get(f"/enroll/{expired}")
    assert late.status_code == 410 and "已过期" in late.text
    unknown = await client.get("/enroll/nonsense")
    assert unknown.status_code == 404 and "邀请链接无效" in unknown.text


async def test_signout_ends_the_session_on_the_server(client, demo):
    await csrf(client)
    await _enrolled(client)
    token = client.cookies.get(COOKIE_NAME)
    response = await client.post("/signout", data={"_csrf_token": client.headers["x-csrftoken"]}, follow_redirects=False)
    assert response.status_code == 303
    assert f'{COOKIE_NAME}=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]
    client.cookies.set(COOKIE_NAME, token)  # a stolen copy of the cookie is worthless now
    assert "李娜" not in (await client.get("/")).text
    assert await AuthSession.count().where(AuthSession.ended_at.is_null()) == 0


async def test_form_post_without_csrf_token_is_refused(client, demo):
    await sign_in(client, "worker")
    del client.headers["x-csrftoken"]
    response = await client.post("/signout", data={})
    assert response.status_code == 403
    assert "王网格" in (await client.get("/")).text


async def test_grid_workers_get_field_sessions_and_supervisors_desktop_sessions(client, demo):
    await csrf(client)
    await _enrolled(client)
    field = await AuthSession.select().where(AuthSession.ended_at.is_null()).first()
    assert field["kind"] == "field"
    assert timedelta(days=29) < field["expires_at"] - field["created_at"] <= timedelta(days=30)
    supervisor = await User.select(User.id).where(User.username == "supervisor").first()
    token, _ = await create_invitation(display_name="林审核", role="street_supervisor", area_code="440106004", user_id=supervisor["id"])
    answer = (await enroll_via_api(client, token))[1]
    assert "Max-Age" not in answer.headers["set-cookie"]  # ends with the browser
    desk = await AuthSession.select().where(AuthSession.user == supervisor["id"]).first()
    assert desk["kind"] == "desktop"
    assert desk["expires_at"] - desk["created_at"] == timedelta(minutes=120)


async def test_passkeys_page_lists_renames_and_revokes(client, demo):
    await csrf(client)
    passkey = await _enrolled(client)
    row = await Passkey.select().first()
    page = await client.get("/account/passkeys")
    assert "本次登录所用" in page.text and "从未" in page.text
    form = {"_csrf_token": client.headers["x-csrftoken"]}
    renamed = await client.post(f"/account/passkeys/{row['id']}/rename", data={**form, "name": "我的手机"}, follow_redirects=False)
    assert renamed.status_code == 303
    assert "我的手机" in (await client.get("/account/passkeys")).text
    revoked = await client.post(f"/account/passkeys/{row['id']}/revoke", data=form, follow_redirects=False)
    assert revoked.headers["location"] == "/signin"
    assert "李娜" not in (await client.get("/")).text  # the session opened with it ended
    assert (await sign_in_via_api(client, passkey)).status_code == 401
    assert "passkey.revoke" in [e["action"] for e in await AuditEvent.select(AuditEvent.action)]


async def test_someone_elses_passkey_cannot_be_renamed(client, demo):
    await csrf(client)
    await _enrolled(client)
    theirs = await Passkey.select(Passkey.id).first()
    await sign_in(client, "worker2")
    response = await client.post(f"/account/passkeys/{theirs['id']}/rename", data={"_csrf_token": client.headers["x-csrftoken"], "name": "x"})
    assert response.status_code == 404


async def test_passkeys_page_needs_sign_in(client):
    assert (await client.get("/account/passkeys")).status_code == 401


async def test_supervisor_creates_an_invitation_with_link_and_qr_code(client, demo):
    await sign_in(client, "supervisor")
    form = await client.get("/invitations/new")
    assert form.status_code == 200
    assert 'value="440106004002"' in form.text and 'value="440106012001"' not in form.text
    assert 'value="district_officer"' not in form.text
    page = await client.post(
        "/invitations",
        data={"_csrf_token": client.headers["x-csrftoken"], "display_name": "周婷", "role": "grid_worker", "area": "440106004002", "username": "zhou.ting"},
    )
    assert page.status_code == 200, page.text
    link = re.search(r'value="(http://localhost:8000/enroll/[^"]+)"', page.text).group(1)
    assert "<svg" in page.text
    invitation = await Invitation.select().where(Invitation.username == "zhou.ting").first()
    assert invitation["used_at"] is None
    assert (await client.get(link.replace("http://localhost:8000", ""))).status_code == 200
    assert "invitation.create" in [e["action"] for e in await AuditEvent.select(AuditEvent.action)]


async def test_supervisor_cannot_invite_outside_scope_or_above_rank(client, demo):
    await sign_in(client, "supervisor")
    base = {"_csrf_token": client.headers["x-csrftoken"], "display_name": "某人"}
    elsewhere = await client.post("/invitations", data={**base, "role": "grid_worker", "area": "440111002001"})
    higher = await client.post("/invitations", data={**base, "role": "district_officer", "area": "440106"})
    assert elsewhere.status_code == higher.status_code == 403
    assert "只能邀请本辖区内" in elsewhere.text
    assert await Invitation.count() == 0


async def test_grid_worker_cannot_open_the_invitation_or_people_pages(client, demo):
    await sign_in(client, "worker")
    assert (await client.get("/invitations/new")).status_code == 403
    assert (await client.get("/people")).status_code == 403


async def test_supervisor_revokes_a_workers_passkeys_and_ends_their_sessions(client, demo):
    await csrf(client)
    passkey = await _enrolled(client)
    person = await User.select(User.id).where(User.username == "li.na").first()
    await create_session(person["id"])  # another device
    await sign_in(client, "supervisor")
    people = await client.get("/people")
    assert "li.na" in people.text and "worker3" not in people.text  # worker3 is in another district
    revoked = await client.post(f"/people/{person['id']}/revoke", data={"_csrf_token": client.headers["x-csrftoken"]}, follow_redirects=False)
    assert revoked.status_code == 303
    assert "已停用 李娜 的全部通行密钥" in (await client.get(revoked.headers["location"])).text
    assert await AuthSession.count().where((AuthSession.user == person["id"]) & AuthSession.ended_at.is_null()) == 0
    client.cookies.delete(COOKIE_NAME)
    assert (await sign_in_via_api(client, passkey)).status_code == 401


async def test_supervisor_reinvites_a_person_whose_phone_was_lost(client, demo):
    await csrf(client)
    await _enrolled(client)
    person = await User.select(User.id).where(User.username == "li.na").first()
    await sign_in(client, "supervisor")
    page = await client.post(f"/people/{person['id']}/reinvite", data={"_csrf_token": client.headers["x-csrftoken"]})
    assert page.status_code == 200 and "<svg" in page.text
    token = re.search(r"/enroll/([A-Za-z0-9_-]+)", page.text).group(1)
    client.cookies.delete(COOKIE_NAME)
    _, answer = await enroll_via_api(client, token)
    assert answer.status_code == 200
    assert await User.count().where(User.username == "li.na") == 1
    assert await Passkey.count().where(Passkey.user == person["id"]) == 2


async def test_supervisor_cannot_act_on_people_outside_scope(client, demo):
    await sign_in(client, "supervisor")
    outsider = await User.select(User.id).where(User.username == "worker3").first()
    district = await User.select(User.id).where(User.username == "district").first()
    form = {"_csrf_token": client.headers["x-csrftoken"]}
    assert (await client.post(f"/people/{outsider['id']}/revoke", data=form)).status_code == 404
    assert (await client.post(f"/people/{district['id']}/reinvite", data=form)).status_code == 404


async def test_auth_endpoints_are_rate_limited_per_ip(client, demo):
    await csrf(client)
    statuses = [(await client.post("/auth/login/options", json={})).status_code for _ in range(121)]
    assert statuses[:120] == [200] * 120
    assert statuses[120] == 429
    refused = await client.post("/auth/login/options", json={})
    assert refused.status_code == 429 and "过于频繁" in refused.json()["reason"]


async def test_sign_in_options_are_rate_limited_per_username(client, demo):
    await csrf(client)
    for _ in range(10):
        assert (await client.post("/auth/login/options", json={"username": "worker"})).status_code == 200
    refused = await client.post("/auth/login/options", json={"username": "Worker"})
    assert refused.status_code == 429 and "该用户名" in refused.json()["reason"]
    assert (await client.post("/auth/login/options", json={"username": "worker2"})).status_code == 200


async def test_repeated_failed_verifications_are_rate_limited(client, demo):
    await csrf(client)
    passkey = await _enrolled(client)
    for _ in range(20):
        options = (await client.post("/auth/login/options", json={})).json()
        bad = passkey.get(options, origin="http://localhost:1")
        assert (await client.post("/auth/login/verify", json=bad)).status_code == 401
    good = await sign_in_via_api(client, passkey)
    assert good.status_code == 429 and "失败的登录尝试过多" in good.json()["reason"]


async def test_signin_page_speaks_english_when_asked(client):
    page = await client.get("/signin", headers={"accept-language": "en"})
    assert "Sign in with a passkey" in page.text
    assert "Passkey not offered? Sign in with your user name" in page.text
    assert 'data-msg-cancelled="Cancelled or timed out.' in page.text
