"""Pages and endpoints that belong to no domain: home, /healthz, /manifest.json, language."""

from __future__ import annotations

import json
from functools import lru_cache

from litestar import Controller, Request, Response, get
from litestar.datastructures import Cookie
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server import i18n
from server.db import ping
from server.settings import get_settings
from server.templating import WEB_DIR

_REPO_MANIFEST = WEB_DIR.parent / "manifest.json"  # a checkout
_PACKAGED_MANIFEST = WEB_DIR / "manifest.json"  # an installed wheel


@lru_cache(maxsize=1)
def manifest_text() -> str:
    path = _REPO_MANIFEST if _REPO_MANIFEST.exists() else _PACKAGED_MANIFEST
    return json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)


class HomeController(Controller):
    path = "/"

    @get("/", name="home")
    async def home(self, request: Request) -> Template:
        """The home page: the signed-in person's start, or the sign-in invitation."""
        return Template("home/index.html", context={"user": request.user})

    @get("/healthz", name="healthz")
    async def healthz(self) -> Response:
        """JSON health: the database answers."""
        try:
            engine = await ping()
        except Exception as exc:  # the point is to report it, not to raise
            return Response({"status": "error", "database": "unreachable", "reason": str(exc)[:200]}, status_code=503)
        return Response({"status": "ok", "database": engine, "origin": get_settings().server.origin})

    @get("/manifest.json", name="manifest")
    async def manifest(self) -> Response:
        """The web app manifest."""
        return Response(
            manifest_text(),
            media_type="application/manifest+json",
            headers={"Cache-Control": "no-cache"},
        )

    @get("/lang/{code:str}", name="set_language")
    async def set_language(self, code: FromPath[str], next: FromQuery[str] = "/") -> Redirect:
        """Switch the interface language (zh_CN or en) and go back."""
        if code not in i18n.SUPPORTED:
            code = i18n.DEFAULT_LOCALE
        target = next if next.startswith("/") and not next.startswith("//") else "/"
        return Redirect(
            target,
            cookies=[Cookie(key=i18n.LANG_COOKIE, value=code, max_age=365 * 86400, samesite="lax", httponly=True)],
        )
