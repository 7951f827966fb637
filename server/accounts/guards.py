"""Guards: signed in, and of a role."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from server.accounts.roles import ADMIN, DISTRICT_OFFICER, STREET_SUPERVISOR
from server.errors import Forbidden, Unauthorized


def requires_user(connection: ASGIConnection, _: BaseRouteHandler) -> None:
    if connection.scope.get("user") is None:
        raise Unauthorized()


def requires_role(*roles: str):
    """A guard that lets only these roles through (after requiring a signed-in user)."""

    def guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
        requires_user(connection, handler)
        if connection.scope["user"].role not in roles:
            raise Forbidden()

    guard.__name__ = f"requires_role_{'_'.join(roles)}"
    return guard


requires_supervisor = requires_role(STREET_SUPERVISOR, DISTRICT_OFFICER, ADMIN)
requires_district = requires_role(DISTRICT_OFFICER, ADMIN)
requires_admin = requires_role(ADMIN)
