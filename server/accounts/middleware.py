"""Puts the signed-in person (or None) on every request as `request.user`, and picks its language."""

from __future__ import annotations

from http.cookies import SimpleCookie

from litestar.types import ASGIApp, Receive, Scope, Send

from server import i18n
from server.accounts.sessions import COOKIE_NAME, load_session


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        cookies = _cookies(headers.get(b"cookie", b"").decode("latin-1"))
        token = cookies.get(COOKIE_NAME)
        user = await load_session(token) if token else None
        scope["user"] = user
        scope["auth"] = token if user else None
        locale = i18n.negotiate(
            user.locale if user else None,
            cookies.get(i18n.LANG_COOKIE),
            headers.get(b"accept-language", b"").decode("latin-1"),
        )
        reset = i18n.current_locale.set(locale)
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_locale.reset(reset)


def _cookies(header: str) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed cookie header is treated as no cookies
        return {}
    return {key: morsel.value for key, morsel in jar.items()}
