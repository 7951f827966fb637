"""Request bodies of the accounts endpoints."""

from __future__ import annotations

import msgspec


class RegisterOptionsRequest(msgspec.Struct):
    """POST /auth/register/options: the invitation token from the enrollment link."""

    token: str


class LoginOptionsRequest(msgspec.Struct):
    """POST /auth/login/options: {} for a discoverable sign-in, or the user name for the fallback."""

    username: str | None = None


class InvitationForm(msgspec.Struct):
    """The invitation page's form."""

    display_name: str = ""
    role: str = ""
    area: str = ""
    username: str = ""


class RenameForm(msgspec.Struct):
    name: str = ""
