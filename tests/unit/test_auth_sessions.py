"""Server-side sessions: kinds, sliding expiry, idle timeout, cookie flags."""

from __future__ import annotations

from datetime import timedelta

from server.accounts import sessions
from server.accounts.sessions import create_session, end_sessions_of, load_session, load_session_sliding, session_cookie, session_kind
from server.accounts.tables import AuthSession, User
from server.clock import now
from server.settings import load_settings


def test_grid_workers_get_field_sessions_everyone_else_desktop():
    assert session_kind("grid_worker") == "field"
    assert {session_kind(r) for r in ("street_supervisor", "district_officer", "admin")} == {"desktop"}


def test_cookie_is_httponly_lax_and_secure_only_over_https(monkeypatch):
    plain = session_cookie("t", "field").to_header()
    assert "HttpOnly" in plain and "SameSite=lax" in plain and "Secure" not in plain
    assert f"Max-Age={30 * 86400}" in plain
    assert "Max-Age" not in session_cookie("t", "desktop").to_header()
    https = load_settings({"DOORSTEP_ORIGIN": "https://doorstep.example.org"})
    monkeypatch.setattr(sessions, "get_settings", lambda: https)
    assert "Secure" in session_cookie("t", "field").to_header()


async def _user(demo_username="worker") -> int:
    return (await User.select(User.id).where(User.username == demo_username).first())["id"]


async def test_field_session_slides_with_use(demo, monkeypatch):
    token = await create_session(await _user(), kind="field")
    later = now() + timedelta(days=20)
    monkeypatch.setattr(sessions, "now", lambda: later)
    user, touched = await load_session_sliding(token)
    assert user is not None and touched and user.session_kind == "field"
    row = await AuthSession.select().first()
    assert row["expires_at"] >= later + timedelta(days=29)
    monkeypatch.setattr(sessions, "now", lambda: later + timedelta(days=25))
    assert await load_session(token) is not None  # would have expired without the slide


async def test_desktop_session_ends_after_idle_time(demo, monkeypatch):
    token = await create_session(await _user("supervisor"), kind="desktop")
    start = now()
    monkeypatch.setattr(sessions, "now", lambda: start + timedelta(minutes=100))
    assert await load_session(token) is not None
    monkeypatch.setattr(sessions, "now", lambda: start + timedelta(minutes=100 + 121))
    assert await load_session(token) is None


async def test_ended_and_deactivated_sessions_are_refused(demo):
    worker = await _user()
    token = await create_session(worker)
    await end_sessions_of(worker)
    assert await load_session(token) is None
    other = await create_session(worker)
    await User.update({User.active: False}).where(User.id == worker)
    assert await load_session(other) is None
