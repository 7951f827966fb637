"""The phone's words in the page's language, for JavaScript that runs offline.

The field app's modules are written in Chinese, like the templates: a word shown to a person goes
through `t("…")` (or is marked `N_("…")` where it is defined and translated where it is shown), see
web/static/js/i18n.js. `make messages` extracts those calls into the same catalogue as the
templates, so translators keep one place (web/locales/pairs/*.tsv). This module answers, for one
language, the catalogue's translations of exactly those words, keyed by the Chinese, at
/i18n/<locale>.json; the service worker precaches it, so the words open offline too.

The server's own words come with them: every message marked `N_("…")` under server/ and sync/ (a
reason a sync answer gives, the engine's own such as an out-of-order push, its templates with
{placeholders} and the labels they name). A sync answer
keeps the Chinese (server/i18n.py), and the phone shows it through t(), which finds a filled-in
template by its pattern (web/static/js/i18n.js), so a reason the server refused a record with
reads in the page's language on the phone as on the server's pages.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.messages.extract import extract_from_file
from litestar import Response, get
from litestar.params import FromPath

from server import i18n
from server.errors import NotFound
from server.templating import STATIC_DIR

SERVER_DIR = Path(__file__).resolve().parent.parent
SYNC_DIR = SERVER_DIR.parent / "sync"

JS_DIR = STATIC_DIR / "js"
# The calls that carry a word for the catalogue, also inside ${…} of template literals (the same
# as `pybabel extract` is told by babel.cfg).
JS_KEYWORDS = {"t": None, "N_": None}
JS_OPTIONS = {"parse_template_string": True}


@lru_cache(maxsize=1)
def js_message_ids() -> tuple[str, ...]:
    """Every Chinese word the field app's modules pass to t() or N_(), in file order."""
    ids: dict[str, None] = {}
    for path in sorted(JS_DIR.glob("**/*.js")):
        for _line, message, _comments, _context in extract_from_file("javascript", str(path), keywords=JS_KEYWORDS, options=JS_OPTIONS):
            if isinstance(message, str) and message:
                ids[message] = None
    return tuple(ids)


@lru_cache(maxsize=1)
def server_message_ids() -> tuple[str, ...]:
    """Every word the server and its sync engine mark N_() where it is defined: their reasons, templates and labels."""
    ids: dict[str, None] = {}
    for path in (*sorted(SERVER_DIR.glob("**/*.py")), *sorted(SYNC_DIR.glob("**/*.py"))):
        for _line, message, _comments, _context in extract_from_file("python", str(path), keywords={"N_": None}):
            if isinstance(message, str) and message:
                ids[message] = None
    return tuple(ids)


@lru_cache(maxsize=None)
def js_messages(locale: str) -> dict[str, str]:
    """The translations of the modules' and the server's words; none for Chinese, whose words are the keys themselves."""
    if locale == i18n.DEFAULT_LOCALE:
        return {}
    catalogue = i18n.translations(locale)
    found = {message: catalogue.gettext(message) for message in (*js_message_ids(), *server_message_ids())}
    return {message: text for message, text in found.items() if text and text != message}


@get("/i18n/{name:str}", name="js_messages", include_in_schema=False)
async def js_messages_file(name: FromPath[str]) -> Response:
    """The words of the phone's JavaScript and the server's reasons in one language (`en.json`), keyed by the Chinese."""
    locale = name.removesuffix(".json")
    if not name.endswith(".json") or locale not in i18n.SUPPORTED:
        raise NotFound()
    # Cached by the service worker, whose version changes with the catalogue (server/field/worker.py).
    return Response(js_messages(locale), media_type="application/json", headers={"Cache-Control": "no-cache"})
