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

Which words those are, the modules' and the server's, `make messages` writes to
web/locales/field-words.json beside the catalogue (scripts/field_words.py; the catalogue itself
cannot tell, being extracted without locations); this module reads that file once, and parses no
source. tests/unit/test_js_messages.py fails when the file is out of date.
"""

from __future__ import annotations

import json
from functools import lru_cache

from litestar import Response, get
from litestar.params import FromPath

from server import i18n
from server.errors import NotFound

# Written by `make messages` (scripts/field_words.py): {"js": [...], "server": [...]}, in file order.
WORDS_FILE = i18n.LOCALES_DIR / "field-words.json"


@lru_cache(maxsize=1)
def _field_words() -> dict[str, tuple[str, ...]]:
    words = json.loads(WORDS_FILE.read_text(encoding="utf-8"))
    return {"js": tuple(words["js"]), "server": tuple(words["server"])}


def js_message_ids() -> tuple[str, ...]:
    """Every Chinese word the field app's modules pass to t() or N_(), in file order."""
    return _field_words()["js"]


def server_message_ids() -> tuple[str, ...]:
    """Every word the server and its sync engine mark N_() where it is defined: their reasons, templates and labels."""
    return _field_words()["server"]


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
