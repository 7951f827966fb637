"""Accounts without HTTP: signing in after a ceremony, own passkeys, and the people a supervisor manages."""

from __future__ import annotations

from server.accounts.current import CurrentUser
from server.accounts.roles import ADMIN, ROLE_RANK
from server.accounts.sessions import create_session, end_sessions_of, end_sessions_of_passkey, session_kind
from server.accounts.tables import Passkey, User
from server.areas.scope import get_in_scope, in_scope
from server.audit.services import record
from server.clock import now
from server.errors import Invalid, NotFound
from server.i18n import N_


def passkey_name_for(user_agent: str) -> str:
    """A first name for a new passkey, from the device that made it (the person can rename it)."""
    ua = user_agent.lower()
    for needle, label in (
        ("iphone", "iPhone"),
        ("ipad", "iPad"),
        ("android", "Android 手机"),
        ("windows", "Windows 电脑"),
        ("mac os", "Mac"),
        ("cros", "Chromebook"),
        ("linux", "Linux 电脑"),
    ):
        if needle in ua:
            return f"{label} · {now():%Y-%m-%d}"
    return f"通行密钥 · {now():%Y-%m-%d}"


async def open_session_for(user_id: int, passkey_id: int, user_agent: str) -> tuple[str, str]:
    """Start the session a passkey ceremony earned; returns (token, kind)."""
    user = await User.select(User.role).where(User.id == user_id).first()
    kind = session_kind(user["role"])
    token = await create_session(user_id, kind=kind, passkey_id=passkey_id, user_agent=user_agent)
    return token, kind


# --- own passkeys -------------------------------------------------------------------------------


async def own_passkeys(user: CurrentUser) -> list[dict]:
    """The person's passkeys, newest first, revoked ones last."""
    rows = await Passkey.select(
        Passkey.id, Passkey.name, Passkey.created_at, Passkey.last_used_at, Passkey.revoked_at, Passkey.backed_up
    ).where(Passkey.user == user.id).order_by(Passkey.created_at, ascending=False)
    for row in rows:
        row["current"] = row["id"] == user.passkey_id
    return sorted(rows, key=lambda r: r["revoked_at"] is not None)


async def _own_active_passkey(user: CurrentUser, passkey_id: int) -> dict:
    row = await Passkey.select(Passkey.id, Passkey.name).where(
        (Passkey.id == passkey_id) & (Passkey.user == user.id) & Passkey.revoked_at.is_null()
    ).first()
    if row is None:
        raise NotFound()
    return row


async def rename_passkey(user: CurrentUser, passkey_id: int, name: str) -> None:
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid(N_("名称应为1–100个字符。"), field="name")
    await _own_active_passkey(user, passkey_id)
    await Passkey.update({Passkey.name: name}).where(Passkey.id == passkey_id)


async def revoke_own_passkey(user: CurrentUser, passkey_id: int) -> None:
    """Revoke one of one's own passkeys and end the sessions it opened."""
    row = await _own_active_passkey(user, passkey_id)
    await Passkey.update({Passkey.revoked_at: now()}).where(Passkey.id == passkey_id)
    await end_sessions_of_passkey(passkey_id)
    await record(user, "passkey.revoke", "passkey", passkey_id, {"name": row["name"], "user_id": user.id})


# --- people managed by a supervisor ------------------------------------------------------------


def may_manage(manager: CurrentUser, role: str) -> bool:
    """A person may manage people of their own rank and below (admins everyone)."""
    return manager.role == ADMIN or ROLE_RANK[role] <= ROLE_RANK[manager.role]


async def people_in_scope(manager: CurrentUser) -> list[dict]:
    """Everyone whose home area lies in the manager's scope, with their active passkey count."""
    users = await User.select(
        User.id,
        User.username,
        User.display_name,
        User.role,
        User.active,
        User.area.name.as_alias("area_name"),
        User.area.code.as_alias("area_code"),
    ).where(in_scope(manager, User.area)).order_by(User.area.path, User.username)
    counts: dict[int, int] = {}
    if users:
        rows = await Passkey.select(Passkey.user).where(
            Passkey.user.is_in([u["id"] for u in users]) & Passkey.revoked_at.is_null()
        )
        for row in rows:
            counts[row["user"]] = counts.get(row["user"], 0) + 1
    for user in users:
        user["passkeys"] = counts.get(user["id"], 0)
        user["manageable"] = user["id"] != manager.id and may_manage(manager, user["role"])
    return users


async def managed_person(manager: CurrentUser, user_id: int) -> dict:
    """A person the manager may act on; NotFound outside their scope or above their rank."""
    row = await get_in_scope(
        manager, User, user_id, User.area, User.id, User.username, User.display_name, User.role, User.area.code.as_alias("area_code")
    )
    if row["id"] == manager.id or not may_manage(manager, row["role"]):
        raise NotFound()
    return row


async def revoke_person(manager: CurrentUser, user_id: int) -> int:
    """Revoke every passkey of a person (a lost phone) and sign them out everywhere; returns how many."""
    person = await managed_person(manager, user_id)
    revoked = await Passkey.update({Passkey.revoked_at: now()}).where(
        (Passkey.user == person["id"]) & Passkey.revoked_at.is_null()
    ).returning(Passkey.id)
    await end_sessions_of(person["id"])
    await record(
        manager, "passkey.revoke_all", "user", person["id"], {"username": person["username"], "passkeys": [r["id"] for r in revoked]}
    )
    return len(revoked)
