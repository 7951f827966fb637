"""Passkey ceremonies (JSON under /auth), sign-in and enrollment pages, sign-out, own passkeys."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.params import FromPath, JSONBody, URLEncodedBody
from litestar.response import Redirect, Template

from server.accounts import ceremonies
from server.accounts.guards import requires_user
from server.accounts.invitations import invitation_by_token, invitation_problem
from server.accounts.ratelimit import client_ip, limiter_of
from server.accounts.schemas import LoginOptionsRequest, RegisterOptionsRequest, RenameForm
from server.accounts.services import open_session_for, own_passkeys, passkey_name_for, rename_passkey, revoke_own_passkey
from server.accounts.sessions import cleared_session_cookie, end_session, session_cookie
from server.accounts.tables import User
from server.audit.services import record
from server.errors import AppError, TooMany
from server.validation.params import RowId

def _json(text: str) -> Response:
    return Response(content=text, media_type=MediaType.JSON, headers={"Cache-Control": "no-store"})


async def _signed_in(request: Request, user_id: int, passkey_id: int, action: str, detail: dict) -> Response:
    """End any session this browser had, open the new one, audit it, and answer with the cookie."""
    if request.scope.get("auth"):
        await end_session(request.scope["auth"])
    user_agent = request.headers.get("user-agent", "")
    token, kind = await open_session_for(user_id, passkey_id, user_agent)
    person = await User.select(User.display_name).where(User.id == user_id).first()
    await record(
        None, action, "user", user_id, {**detail, "passkey_id": passkey_id, "session": kind, "ip": client_ip(request)},
        actor_id=user_id, actor_name=person["display_name"],
    )
    return Response(
        {"status": "ok", "redirect": "/"},
        cookies=[session_cookie(token, kind)],
        headers={"Cache-Control": "no-store"},
    )


async def _verified(request: Request, verify: Coroutine[Any, Any, tuple[int, int]], action: str, detail: dict) -> Response:
    """Run a verification under the rate limits; audit a failure as `<action>_failed`, sign in on success."""
    ip = client_ip(request)
    limiter = limiter_of(request)
    try:
        limiter.request(ip)
        limiter.verification(ip)
        user_id, passkey_id = await verify
    except AppError as exc:
        verify.close()  # never awaited when a limit refused the request
        if isinstance(exc, TooMany):
            raise  # not audited: a flood of refusals would flood the audit chain
        limiter.failed(ip)
        known = getattr(exc, "user_id", None)
        failure = {"reason": exc.reason, "why": getattr(exc, "why", ""), "ip": ip}
        await record(None, f"{action}_failed", "user" if known else "", known or "", failure, actor_id=known)
        raise
    return await _signed_in(request, user_id, passkey_id, action, detail)


class AuthController(Controller):
    """The four WebAuthn ceremony endpoints. They are POSTs, so the CSRF header is required too."""

    path = "/auth"

    @post("/register/options", status_code=200)
    async def register_options(self, request: Request, data: JSONBody[RegisterOptionsRequest]) -> Response:
        """Creation options for the passkey of an invitation."""
        limiter_of(request).request(client_ip(request))
        return _json(await ceremonies.registration_options(data.token))

    @post("/register/verify", status_code=200)
    async def register_verify(self, request: Request) -> Response:
        """Verify the new passkey (PublicKeyCredential.toJSON()), consume the invitation, sign in."""
        name = passkey_name_for(request.headers.get("user-agent", ""))
        verify = ceremonies.verify_registration(await request.body(), passkey_name=name)
        return await _verified(request, verify, "auth.enroll", {"passkey_name": name})

    @post("/login/options", status_code=200)
    async def login_options(self, request: Request, data: JSONBody[LoginOptionsRequest]) -> Response:
        """Request options: discoverable without a user name, or listing that person's passkeys."""
        limiter = limiter_of(request)
        limiter.request(client_ip(request))
        if data.username:
            limiter.username(data.username)
        return _json(await ceremonies.authentication_options(data.username))

    @post("/login/verify", status_code=200)
    async def login_verify(self, request: Request) -> Response:
        """Verify a sign-in answer (PublicKeyCredential.toJSON()) and open a session."""
        return await _verified(request, ceremonies.verify_authentication(await request.body()), "auth.signin", {})


class SessionController(Controller):
    """Pages: sign in, enroll from an invitation, sign out."""

    path = "/"

    @get("/signin", name="signin")
    async def signin(self, request: Request) -> Template:
        """The sign-in page: a passkey button, and a user-name fallback."""
        return Template("accounts/signin.html", context={"user": request.user})

    @get("/enroll/{token:str}", name="enroll")
    async def enroll(self, request: Request, token: FromPath[str]) -> Template:
        """The enrollment page of an invitation link."""
        invitation = await invitation_by_token(token)
        problem = invitation_problem(invitation)
        status = 200 if problem is None else (404 if invitation is None else 410)
        context = {"user": request.user, "invitation": invitation, "problem": problem, "token": token}
        return Template("accounts/enroll.html", context=context, status_code=status, headers={"Cache-Control": "no-store"})

    @post("/signout", name="signout", status_code=303)
    async def signout(self, request: Request) -> Response:
        """End this browser's session on the server and forget the cookie."""
        token = request.scope.get("auth")
        user = request.user
        if token:
            await end_session(token)
            await record(user, "auth.signout", "user", user.id, {"session_id": user.session_id})
        cookies = [cleared_session_cookie()]
        if request.headers.get("hx-request") == "true":
            return Response(None, status_code=200, headers={"HX-Redirect": "/"}, cookies=cookies)
        return Redirect("/", status_code=303, cookies=cookies)


class PasskeyController(Controller):
    """A person's own passkeys: list with last use, rename, revoke."""

    path = "/account/passkeys"
    guards = [requires_user]

    @get("/", name="passkeys")
    async def index(self, request: Request) -> Template:
        """The list of one's passkeys."""
        context = {"user": request.user, "passkeys": await own_passkeys(request.user)}
        return Template("accounts/passkeys.html", context=context)

    @post("/{passkey_id:int}/rename", status_code=303)
    async def rename(self, request: Request, passkey_id: FromPath[RowId], data: URLEncodedBody[RenameForm]) -> Redirect:
        """Give a passkey a name (e.g. 我的手机)."""
        await rename_passkey(request.user, passkey_id, data.name)
        return Redirect("/account/passkeys", status_code=303)

    @post("/{passkey_id:int}/revoke", status_code=303)
    async def revoke(self, request: Request, passkey_id: FromPath[RowId]) -> Redirect:
        """Revoke one of one's passkeys; the sessions it opened end."""
        await revoke_own_passkey(request.user, passkey_id)
        target = "/signin" if passkey_id == request.user.passkey_id else "/account/passkeys"
        return Redirect(target, status_code=303)
