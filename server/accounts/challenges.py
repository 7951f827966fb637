"""WebAuthn challenges: stored server-side, single-use, short-lived.

A challenge row is deleted (DELETE … RETURNING) before the answer is verified, so a replayed
answer finds nothing, and two concurrent answers cannot both use it. Expired rows are swept
whenever a new challenge is stored.
"""

from __future__ import annotations

import json
from datetime import timedelta

from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from server.accounts.tables import WebAuthnChallenge
from server.clock import now
from server.errors import Invalid
from server.i18n import N_
from server.settings import get_settings

REGISTER = "register"
LOGIN = "login"


def decode_credential(data: bytes | str | dict) -> dict:
    """The request body as a JSON object (PublicKeyCredential.toJSON())."""
    if isinstance(data, dict):
        return data
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than the decoder goes
        raise Invalid(N_("请求内容格式不正确。")) from None
    if not isinstance(value, dict):
        raise Invalid(N_("请求内容格式不正确。"))
    return value


def _client_challenge(credential: dict) -> str:
    """The challenge the browser signed, read from clientDataJSON (checked again by py_webauthn)."""
    try:
        raw = base64url_to_bytes(credential["response"]["clientDataJSON"])
        challenge = json.loads(raw)["challenge"]
    except (KeyError, TypeError, ValueError, RecursionError):
        raise Invalid(N_("通行密钥的应答格式不正确。")) from None
    if not isinstance(challenge, str) or "\x00" in challenge:  # PostgreSQL compares no text holding NUL
        raise Invalid(N_("通行密钥的应答格式不正确。"))
    return challenge


async def store_challenge(challenge: bytes, purpose: str, *, invitation: int | None = None, user: int | None = None) -> None:
    """Keep a challenge handed to a browser until it is answered or expires."""
    at = now()
    await WebAuthnChallenge.delete().where(WebAuthnChallenge.expires_at < at)  # housekeeping
    await WebAuthnChallenge.insert(
        WebAuthnChallenge(
            challenge=bytes_to_base64url(challenge),
            purpose=purpose,
            invitation=invitation,
            user=user,
            expires_at=at + timedelta(seconds=get_settings().sessions.challenge_seconds),
        )
    )


async def take_challenge(credential: dict, purpose: str) -> dict:
    """Delete and return the stored challenge the credential answers; refuse unknown, used or expired ones."""
    challenge = _client_challenge(credential)
    rows = await WebAuthnChallenge.delete().where(
        (WebAuthnChallenge.challenge == challenge) & (WebAuthnChallenge.purpose == purpose)
    ).returning(WebAuthnChallenge.invitation, WebAuthnChallenge.user, WebAuthnChallenge.expires_at)
    if not rows:
        raise Invalid(N_("验证请求无效或已被使用，请重新开始。"))
    row = rows[0]
    if row["expires_at"] <= now():
        raise Invalid(N_("验证请求已过期，请重新开始。"))
    row["challenge"] = challenge
    return row
