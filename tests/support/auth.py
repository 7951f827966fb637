"""Signing a test client in as a demo user, without a browser (the browser tests use passkeys)."""

from __future__ import annotations

from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import User


async def sign_in(client, username: str, *, kind: str = "field") -> dict:
    """Give the client a session cookie for `username` and a CSRF token header; returns the user row."""
    user = await User.select().where(User.username == username).first()
    assert user is not None, f"no user {username}"
    token = await create_session(user["id"], kind=kind)
    client.cookies.set(COOKIE_NAME, token)
    await csrf(client)
    return user


async def csrf(client) -> str:
    """Fetch a page so the server sets the csrftoken cookie; send it back as the header."""
    await client.get("/healthz")
    response = await client.get("/")
    token = client.cookies.get("csrftoken") or response.cookies.get("csrftoken")
    assert token, "the server set no csrftoken cookie"
    client.headers["x-csrftoken"] = token
    return token
