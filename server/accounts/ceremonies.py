"""The WebAuthn ceremonies: registration from an invitation, and sign-in with a passkey.

Challenges live in the database (WebAuthnChallenge), are single-use (the row is deleted before
the response is verified, so a replay finds nothing) and expire after
`settings.sessions.challenge_seconds`. Origin and RP ID come from the settings on every call.
"""

from __future__ import annotations

import hashlib
import hmac
import logging

from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authenticator_data
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    PublicKeyCredentialHint,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from server.accounts.invitations import invitation_by_token, invitation_problem
from server.accounts.challenges import LOGIN, REGISTER, decode_credential, store_challenge, take_challenge
from server.accounts.tables import Invitation, Passkey, User
from server.clock import now
from server.errors import Invalid, Unauthorized
from server.i18n import N_
from server.secrets import app_secret
from server.settings import get_settings
from sync.db import write_transaction

log = logging.getLogger("doorstep.auth")

RP_NAME = "Doorstep 非接触入户"


def user_handle(username: str) -> bytes:
    """The WebAuthn user handle: stable per person, carries no personal data."""
    return hashlib.sha256(f"doorstep-user:{username}".encode()).digest()


# --- registration -------------------------------------------------------------------------------


async def registration_options(token: str) -> str:
    """Options for navigator.credentials.create() from an invitation token, as JSON."""
    invitation = await invitation_by_token(token)
    problem = invitation_problem(invitation)
    if problem:
        raise Invalid(problem)
    existing = []
    if invitation["user"] is not None:
        rows = await Passkey.select(Passkey.credential_id).where(
            (Passkey.user == invitation["user"]) & Passkey.revoked_at.is_null()
        )
        existing = [PublicKeyCredentialDescriptor(id=base64url_to_bytes(r["credential_id"])) for r in rows]
    settings = get_settings().server
    options = generate_registration_options(
        rp_id=settings.rp_id,
        rp_name=RP_NAME,
        user_name=invitation["username"],
        user_id=user_handle(invitation["username"]),
        user_display_name=invitation["display_name"],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            require_resident_key=True,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        # The phone's own authenticator is preferred; a desktop may still use a security key or a phone.
        hints=[PublicKeyCredentialHint.CLIENT_DEVICE],
        exclude_credentials=existing,
        timeout=120_000,
    )
    await store_challenge(options.challenge, REGISTER, invitation=invitation["id"])
    return options_to_json(options)


async def verify_registration(body: bytes | str | dict, *, passkey_name: str) -> tuple[int, int]:
    """Check the browser's answer, consume the invitation, create the person if new and the passkey.

    Returns (user id, passkey id).
    """
    credential = decode_credential(body)
    stored = await take_challenge(credential, REGISTER)
    invitation = await Invitation.select().where(Invitation.id == stored["invitation"]).first()
    problem = invitation_problem(invitation)
    if problem:
        raise Invalid(problem)
    settings = get_settings().server
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(stored["challenge"]),
            expected_rp_id=settings.rp_id,
            expected_origin=settings.origin,
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        log.warning("registration refused for invitation %s: %s", invitation["id"], exc)
        raise Invalid(N_("通行密钥注册失败，请重试。"), extra={"detail": str(exc)}) from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if await Passkey.exists().where(Passkey.credential_id == credential_id):
        raise Invalid(N_("该通行密钥已注册。"))
    transports = credential["response"].get("transports")  # a hint only: a list of names, else none
    transports = transports if isinstance(transports, list) else []
    at = now()
    async with write_transaction(Invitation._meta.db):
        used = await Invitation.update({Invitation.used_at: at}).where(
            (Invitation.id == invitation["id"]) & Invitation.used_at.is_null()
        ).returning(Invitation.id)
        if not used:
            raise Invalid(N_("该邀请链接已被使用。"))
        user_id = invitation["user"]
        if user_id is None:
            if await User.exists().where(User.username == invitation["username"]):
                raise Invalid(N_("该用户名已被他人使用，请索取新的邀请链接。"))
            user = User(
                username=invitation["username"],
                display_name=invitation["display_name"],
                role=invitation["role"],
                area=invitation["area"],
                created_at=at,
            )
            await user.save()
            user_id = user.id
        passkey = Passkey(
            user=user_id,
            credential_id=credential_id,
            public_key=bytes_to_base64url(verified.credential_public_key),
            sign_count=verified.sign_count,
            transports=",".join(t for t in transports if isinstance(t, str))[:200],
            backed_up=verified.credential_backed_up,
            aaguid=verified.aaguid,
            name=passkey_name[:100],
            created_at=at,
        )
        await passkey.save()
    return user_id, passkey.id


# --- sign-in ------------------------------------------------------------------------------------


def _decoy_credential(username: str) -> PublicKeyCredentialDescriptor:
    """A stable fake credential for an unknown user name, so that the answer does not tell."""
    digest = hmac.new(app_secret().encode(), f"decoy:{username}".encode(), hashlib.sha256).digest()
    return PublicKeyCredentialDescriptor(id=digest, transports=[AuthenticatorTransport.INTERNAL])


async def authentication_options(username: str | None) -> str:
    """Options for navigator.credentials.get(): discoverable (no user name) or for one person."""
    allow: list[PublicKeyCredentialDescriptor] = []
    user_id = None
    if username:
        username = username.strip().lower()
        # No user name holds NUL, and PostgreSQL compares no text that does: an unknown name.
        query = User.select(User.id).where((User.username == username) & (User.active == True))  # noqa: E712
        user = None if "\x00" in username else await query.first()
        rows = []
        if user is not None:
            user_id = user["id"]
            rows = await Passkey.select(Passkey.credential_id, Passkey.transports).where(
                (Passkey.user == user_id) & Passkey.revoked_at.is_null()
            )
        allow = [
            PublicKeyCredentialDescriptor(
                id=base64url_to_bytes(r["credential_id"]),
                transports=[AuthenticatorTransport(t) for t in r["transports"].split(",") if t in _TRANSPORTS],
            )
            for r in rows
        ] or [_decoy_credential(username)]
    options = generate_authentication_options(
        rp_id=get_settings().server.rp_id,
        allow_credentials=allow,
        user_verification=UserVerificationRequirement.REQUIRED,
        timeout=120_000,
    )
    await store_challenge(options.challenge, LOGIN, user=user_id)
    return options_to_json(options)


_TRANSPORTS = {t.value for t in AuthenticatorTransport}


class SignInRefused(Unauthorized):
    """A failed sign-in; `user_id` names the person when the credential was known (for the audit)."""

    def __init__(self, reason: str, *, user_id: int | None = None, why: str = "") -> None:
        super().__init__(reason)
        self.user_id = user_id
        self.why = why


async def verify_authentication(body: bytes | str | dict) -> tuple[int, int]:
    """Check a sign-in answer; returns (user id, passkey id) and records the passkey's use."""
    credential = decode_credential(body)
    stored = await take_challenge(credential, LOGIN)
    credential_id = credential.get("id") or credential.get("rawId")
    if not isinstance(credential_id, str) or "\x00" in credential_id:  # PostgreSQL compares no text holding NUL
        raise Invalid(N_("通行密钥的应答格式不正确。"))
    passkey = await Passkey.select(
        Passkey.all_columns(), Passkey.user.active.as_alias("active"), Passkey.user.username.as_alias("username")
    ).where(Passkey.credential_id == credential_id).first()
    if passkey is None:
        raise SignInRefused(N_("此通行密钥未在本系统登记。"), why="unknown credential")
    user_id = passkey["user"]
    if passkey["revoked_at"] is not None:
        raise SignInRefused(N_("此通行密钥已被停用，请联系您的审核人员重新邀请。"), user_id=user_id, why="revoked")
    if not passkey["active"]:
        raise SignInRefused(N_("该账号已停用。"), user_id=user_id, why="inactive user")
    if stored["user"] is not None and stored["user"] != user_id:
        raise SignInRefused(N_("通行密钥与用户名不符。"), user_id=user_id, why="user mismatch")
    handle = (credential.get("response") or {}).get("userHandle")
    if handle and handle != bytes_to_base64url(user_handle(passkey["username"])):
        raise SignInRefused(N_("通行密钥与用户名不符。"), user_id=user_id, why="user handle mismatch")
    _refuse_backwards_counter(credential, passkey)
    settings = get_settings().server
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(stored["challenge"]),
            expected_rp_id=settings.rp_id,
            expected_origin=settings.origin,
            credential_public_key=base64url_to_bytes(passkey["public_key"]),
            credential_current_sign_count=passkey["sign_count"],
            require_user_verification=True,
        )
    except WebAuthnException as exc:
        log.warning("sign-in refused for passkey %s: %s", passkey["id"], exc)
        raise SignInRefused(N_("通行密钥验证失败，请重试。"), user_id=user_id, why=str(exc)) from None
    await Passkey.update(
        {
            Passkey.sign_count: verified.new_sign_count,
            Passkey.last_used_at: now(),
            Passkey.backed_up: verified.credential_backed_up,
        }
    ).where(Passkey.id == passkey["id"])
    return user_id, passkey["id"]


def _refuse_backwards_counter(credential: dict, passkey: dict) -> None:
    """A counter that does not grow may mean a cloned authenticator. 0 forever is allowed:
    many platform authenticators (and synced passkeys) always report 0."""
    try:
        data = parse_authenticator_data(base64url_to_bytes(credential["response"]["authenticatorData"]))
    except (KeyError, TypeError, ValueError, WebAuthnException):
        raise Invalid(N_("通行密钥的应答格式不正确。")) from None
    stored = passkey["sign_count"]
    if (data.sign_count > 0 or stored > 0) and data.sign_count <= stored:
        log.error("sign counter went backwards for passkey %s (user %s): %s <= %s", passkey["id"], passkey["user"], data.sign_count, stored)
        raise SignInRefused(
            N_("通行密钥计数器异常，可能已被复制，已拒绝登录。请联系您的审核人员。"),
            user_id=passkey["user"],
            why=f"sign count went backwards: {data.sign_count} <= {stored}",
        )
