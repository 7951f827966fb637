"""Invitations: single-use enrollment links for a person with a role and an area."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from server.accounts.current import CurrentUser
from server.accounts.roles import ADMIN, ROLE_LEVEL, ROLE_RANK, ROLES
from server.accounts.sessions import hash_token
from server.accounts.tables import Invitation, User
from server.areas.tables import Area
from server.audit.services import record
from server.clock import now
from server.errors import Forbidden, Invalid
from server.i18n import N_
from server.settings import get_settings

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


def enrollment_link(token: str) -> str:
    return f"{get_settings().server.origin}/enroll/{token}"


async def _free_username(wanted: str | None) -> str:
    if wanted:
        wanted = wanted.strip().lower()
        if not USERNAME.match(wanted):
            raise Invalid(N_("用户名应为3–64位小写字母、数字或 . _ -"), field="username")
        taken = await User.exists().where(User.username == wanted) or await Invitation.exists().where(
            (Invitation.username == wanted) & Invitation.used_at.is_null() & Invitation.user.is_null()
        )
        if taken:
            raise Invalid(N_("用户名 {username} 已被使用", username=wanted), field="username")
        return wanted
    while True:
        candidate = f"u{secrets.randbelow(10**6):06d}"
        if not await User.exists().where(User.username == candidate):
            return candidate


async def create_invitation(
    *,
    display_name: str,
    role: str,
    area_code: str,
    username: str | None = None,
    created_by: CurrentUser | None = None,
    user_id: int | None = None,
) -> tuple[str, dict]:
    """Create an invitation; returns the one-time token and the invitation row.

    `created_by` None means the command line (an operator of the server). A signed-in inviter
    may invite only inside their own area and only to a role no higher than their own.
    With `user_id` the invitation adds a passkey to an existing person (a lost phone).
    """
    display_name = display_name.strip()
    if not display_name:
        raise Invalid(N_("请填写姓名"), field="display_name")
    if len(display_name) > 100:  # the column's length (a longer one was a 500 on PostgreSQL)
        raise Invalid(N_("姓名不能超过 100 个字"), field="display_name")
    if role not in ROLES:
        raise Invalid(N_("未知的角色 {role}，可选: {choices}", role=role, choices=", ".join(ROLES)), field="role")
    area = await Area.select().where(Area.code == area_code).first()
    if area is None:
        raise Invalid(N_("找不到区域 {area}", area=area_code), field="area")
    if area["level"] != ROLE_LEVEL[role]:
        raise Invalid(N_("角色 {role} 的所属区域应为 {level} 级，{area} 是 {actual} 级", role=role, level=ROLE_LEVEL[role], area=area_code, actual=area["level"]), field="area")
    if created_by is not None:
        if created_by.role != ADMIN and (
            ROLE_RANK[role] > ROLE_RANK[created_by.role] or not area["path"].startswith(created_by.area_path)
        ):
            raise Forbidden(N_("只能邀请本辖区内、级别不高于您的人员"))
    if user_id is not None:
        existing = await User.select(User.username).where(User.id == user_id).first()
        if existing is None:
            raise Invalid(N_("找不到该人员"))
        username = existing["username"]
    else:
        username = await _free_username(username)
    token = secrets.token_urlsafe(24)
    at = now()
    invitation = Invitation(
        token_hash=hash_token(token),
        username=username,
        display_name=display_name,
        role=role,
        area=area["id"],
        user=user_id,
        created_by=created_by.id if created_by else None,
        created_at=at,
        expires_at=at + timedelta(hours=get_settings().sessions.invitation_hours),
    )
    await invitation.save()
    await record(
        created_by, "invitation.create", "invitation", invitation.id,
        {"username": username, "role": role, "area": area_code, "existing_user": user_id},
        actor_name="" if created_by else "命令行 (command line)",
    )
    return token, invitation.to_dict()


async def invitation_by_token(token: str) -> dict | None:
    """The invitation behind a link's token, or None."""
    if not token or len(token) > 200:
        return None
    return await (
        Invitation.select(
            Invitation.all_columns(),
            Invitation.area.name.as_alias("area_name"),
            Invitation.area.code.as_alias("area_code"),
        )
        .where(Invitation.token_hash == hash_token(token))
        .first()
    )


def invitation_problem(invitation: dict | None) -> str | None:
    """Why the invitation cannot be used (in Chinese), or None when it can."""
    if invitation is None:
        return N_("邀请链接无效，请向邀请您的人索取新的链接。")
    if invitation["used_at"] is not None:
        return N_("该邀请链接已被使用。每个链接只能使用一次，请索取新的链接。")
    if invitation["expires_at"] <= now():
        return N_("该邀请链接已过期，请向邀请您的人索取新的链接。")
    return None
