"""Puts the signed-in person (or None) on every request as `request.user`, and picks its language.

When a field session's expiry slides forward, the cookie is sent again so that it slides too.
"""

from __future__ import annotations

from http.cookies import SimpleCookie

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from server import i18n
from server.accounts.sessions import COOKIE_NAME, load_session_sliding, session_cookie


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
        user, touched = await load_session_sliding(token) if token else (None, False)
        scope["user"] = user
        scope["auth"] = token if user else None
        locale = i18n.negotiate(
            user.locale if user else None,
            cookies.get(i18n.LANG_COOKIE),
            headers.get(b"accept-language", b"").decode("latin-1"),
        )
        reset = i18n.current_locale.set(locale)
        if touched and user.session_kind == "field":
            send = _with_cookie(send, session_cookie(token, "field").to_encoded_header())
        try:
            await self.app(scope, receive, send)
        finally:
            i18n.current_locale.reset(reset)


def _with_cookie(send: Send, header: tuple[bytes, bytes]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(k.lower() == b"set-cookie" and v.startswith(COOKIE_NAME.encode() + b"=") for k, v in headers):
                headers.append(header)
            message = {**message, "headers": headers}
        await send(message)

    return wrapped


def _cookies(header: str) -> dict[str, str]:
    jar = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed cookie header is treated as no cookies
        return {}
    return {key: morsel.value for key, morsel in jar.items()}
