"""Server-side sessions: a random token in an HttpOnly cookie, its SHA-256 in the database.

Field sessions (phones) last 30 days and slide with every use, so a worker offline for days is
still signed in when the network returns; desktop sessions end after a period of idleness.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from litestar.datastructures import Cookie

from server.accounts.current import CurrentUser
from server.accounts.roles import GRID_WORKER
from server.accounts.tables import AuthSession
from server.clock import now
from server.settings import get_settings

COOKIE_NAME = "doorstep_session"
# Touch last_seen_at at most this often, to keep reads from becoming writes.
_TOUCH_EVERY = timedelta(minutes=5)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_lifetime(kind: str) -> timedelta:
    settings = get_settings().sessions
    if kind == "desktop":
        return timedelta(minutes=settings.desktop_idle_minutes)
    return timedelta(days=settings.field_days)


def session_kind(role: str) -> str:
    """Grid workers carry phones into the field (long sliding sessions); everyone else is at a desk."""
    return "field" if role == GRID_WORKER else "desktop"


def session_cookie(token: str, kind: str) -> Cookie:
    """The session cookie. A field cookie outlives the browser; a desktop one ends with it
    (and its server-side session ends after idleness either way)."""
    settings = get_settings()
    return Cookie(
        key=COOKIE_NAME,
        value=token,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.server.secure_cookies,
        max_age=settings.sessions.field_days * 86400 if kind == "field" else None,
    )


def cleared_session_cookie() -> Cookie:
    settings = get_settings()
    return Cookie(
        key=COOKIE_NAME, value="", path="/", httponly=True, samesite="lax",
        secure=settings.server.secure_cookies, max_age=0,
    )


async def create_session(user_id: int, *, kind: str = "field", passkey_id: int | None = None, user_agent: str = "") -> str:
    """Open a session for the user; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    at = now()
    await AuthSession.insert(
        AuthSession(
            token_hash=hash_token(token),
            user=user_id,
            passkey=passkey_id,
            kind=kind,
            user_agent=user_agent[:300],
            created_at=at,
            last_seen_at=at,
            expires_at=at + session_lifetime(kind),
        )
    )
    return token


async def load_session(token: str) -> CurrentUser | None:
    """The user behind a session token, sliding its expiry; None when it is unknown or over."""
    user, _ = await load_session_sliding(token)
    return user


# Read on every request: written out rather than built by the ORM, whose query building cost more
# CPU than everything else a request to the sync API does (measured with the push benchmark).
_SESSION_QUERY = """
SELECT s.id, s.kind, s.passkey, s.last_seen_at, s.expires_at, s.ended_at,
       u.id AS user_id, u.username, u.display_name, u.role, u.active, u.locale,
       a.id AS area_id, a.code AS area_code, a.name AS area_name, a.path AS area_path
FROM auth_session s
LEFT JOIN app_user u ON u.id = s."user"
LEFT JOIN area a ON a.id = u.area
WHERE s.token_hash = {}
"""


async def load_session_sliding(token: str) -> tuple[CurrentUser | None, bool]:
    """Like load_session; the flag says the expiry was moved on (the cookie should be re-sent)."""
    if not token:
        return None, False
    rows = await AuthSession.raw(_SESSION_QUERY, hash_token(token))
    row = rows[0] if rows else None
    at = now()
    if row is None or row["ended_at"] is not None or row["expires_at"] <= at or not row["active"]:
        return None, False
    touched = at - row["last_seen_at"] >= _TOUCH_EVERY
    if touched:
        await AuthSession.update(
            {AuthSession.last_seen_at: at, AuthSession.expires_at: at + session_lifetime(row["kind"])}
        ).where(AuthSession.id == row["id"])
    return CurrentUser(
        id=row["user_id"],
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        area_id=row["area_id"],
        area_code=row["area_code"],
        area_name=row["area_name"],
        area_path=row["area_path"],
        locale=row["locale"],
        session_id=row["id"],
        passkey_id=row["passkey"],
        session_kind=row["kind"],
    ), touched


async def end_session(token: str) -> None:
    await AuthSession.update({AuthSession.ended_at: now()}).where(
        (AuthSession.token_hash == hash_token(token)) & (AuthSession.ended_at.is_null())
    )


async def end_sessions_of(user_id: int) -> None:
    """Sign a person out everywhere (lost phone, revoked account)."""
    await AuthSession.update({AuthSession.ended_at: now()}).where(
        (AuthSession.user == user_id) & (AuthSession.ended_at.is_null())
    )


async def end_sessions_of_passkey(passkey_id: int) -> None:
    """End the sessions that were opened with one passkey (it was revoked)."""
    await AuthSession.update({AuthSession.ended_at: now()}).where(
        (AuthSession.passkey == passkey_id) & (AuthSession.ended_at.is_null())
    )
