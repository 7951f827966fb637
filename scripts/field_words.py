"""Write web/locales/field-words.json: which of the catalogue's words /i18n/<locale>.json answers.

Usage: python scripts/field_words.py   (`make messages` runs it)

The phone gets two lists of words from the catalogue (server/field/messages.py): its modules'
(the first argument of t() or N_() in web/static/js/, also inside ${…} of template literals, as
babel.cfg tells `pybabel extract`) and the server's (N_() under server/ and sync/: the reasons a
sync answer gives, the templates with {placeholders} and the labels they name). The catalogue
cannot tell them from the templates' words (messages.pot is extracted with --no-location), so
this file holds them, each list in file order without repeats. The server reads it instead of
parsing its sources; tests/unit/test_js_messages.py fails when it is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path

from babel.messages.extract import extract_from_file

ROOT = Path(__file__).resolve().parent.parent
WORDS_FILE = ROOT / "web" / "locales" / "field-words.json"
JS_DIR = ROOT / "web" / "static" / "js"
JS_KEYWORDS = {"t": None, "N_": None}
JS_OPTIONS = {"parse_template_string": True}
SERVER_DIRS = (ROOT / "server", ROOT / "sync")


def _extract(method: str, paths: list[Path], keywords: dict, options: dict | None = None) -> list[str]:
    ids: dict[str, None] = {}
    for path in paths:
        for _line, message, _comments, _context in extract_from_file(method, str(path), keywords=keywords, options=options):
            if isinstance(message, str) and message:
                ids[message] = None
    return list(ids)


def js_message_ids() -> list[str]:
    """Every Chinese word the field app's modules pass to t() or N_(), in file order."""
    return _extract("javascript", sorted(JS_DIR.glob("**/*.js")), JS_KEYWORDS, JS_OPTIONS)


def server_message_ids() -> list[str]:
    """Every word the server and its sync engine mark N_() where it is defined."""
    return _extract("python", [path for folder in SERVER_DIRS for path in sorted(folder.glob("**/*.py"))], {"N_": None})


def field_words() -> str:
    """The text of web/locales/field-words.json for the sources as they are now."""
    words = {
        "about": "Written by `make messages` (scripts/field_words.py); do not edit.",
        "js": js_message_ids(),
        "server": server_message_ids(),
    }
    return json.dumps(words, ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    WORDS_FILE.write_text(field_words(), encoding="utf-8")


if __name__ == "__main__":
    main()
