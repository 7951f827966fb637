"""The checks the catalogue's tests share, and the one way they report what they found.

tests/unit/test_server_messages.py and tests/unit/test_js_messages.py look for words that skip the
catalogue or lack their English. Each check answers its findings, one a line; `report` fails with
them listed under what to do about them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from server.i18n import translations

PLACEHOLDER = re.compile(r"\{(\w+)\}")
ADD_ENGLISH = "add these to web/locales/pairs/*.tsv and run `make messages`"


def report(found: list[str], fix: str) -> None:
    """Fail when anything was found, each finding on a line of its own under `fix`."""
    __tracebackhide__ = True
    assert found == [], f"{fix}:\n" + "\n".join(found)


def without_english(messages: Iterable[str]) -> list[str]:
    """The messages the English catalogue does not translate."""
    english = translations("en")
    return [m for m in messages if english.gettext(m) == m]


def other_placeholders(messages: Iterable[str]) -> list[str]:
    """The messages whose English names other {placeholders} than the Chinese."""
    english = translations("en")
    return [m for m in messages if sorted(PLACEHOLDER.findall(english.gettext(m))) != sorted(PLACEHOLDER.findall(m))]
