"""Refuse a request whose address holds a NUL character: no text column keeps one (PostgreSQL
fails on it), and no path or query parameter of Doorstep may contain one."""

from __future__ import annotations

from litestar.types import ASGIApp, Receive, Scope, Send

from server.errors import Invalid
from server.i18n import N_


def refuse_nul(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").lower()
            if "\x00" in scope["path"] or b"%00" in query or b"\x00" in query:
                raise Invalid(N_("请求地址含有空字符（NUL）。"))
        await app(scope, receive, send)

    return middleware
