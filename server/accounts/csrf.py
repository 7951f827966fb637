"""The CSRF token for the field app's service worker, which cannot read cookies.

Every write carries the `x-csrftoken` header, which must match the `csrftoken` cookie (CSRFConfig
in server.app). A page reads the cookie; the service worker only has the copy a page kept in
IndexedDB, and the cookie is a session cookie: after a browser restart that copy is stale, and a
Background Sync that runs before any page is opened would be refused on every write. This GET
answers the token the CSRF middleware uses for this very request: the cookie's, or the new one it
sets with this answer when the browser has none.
"""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, get
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.utils.scope.state import ScopeState

from server.accounts.guards import requires_user
from server.errors import Forbidden
from server.openapi import answers


class CsrfToken(msgspec.Struct):
    """The value to send as the `x-csrftoken` header with this browser's cookies."""

    token: str


def requires_field_session(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Only a field session outlives a browser restart (a desktop one ends with the browser), and
    only the field app has a service worker that syncs on its own."""
    requires_user(connection, handler)
    if connection.scope["user"].session_kind != "field":
        raise Forbidden()


class CsrfTokenController(Controller):
    path = "/api/csrf-token"
    guards = [requires_field_session]

    @get("/", responses=answers(CsrfToken))
    async def token(self, request: Request) -> Response:
        """This browser's CSRF token, for a client that cannot read the cookie."""
        token = ScopeState.from_scope(request.scope).csrf_token
        # A token belongs to one browser's cookie: no cache may keep it or hand it to another.
        return Response({"token": token}, headers={"Cache-Control": "no-store"})
