"""Simplified Chinese first, English second.

Templates are written in Chinese and marked with `_()`; the English catalogue translates them.
The language is the user's setting, else the `lang` cookie, else the browser's Accept-Language.

A message put together from values (a name, a count) is written as its Chinese template with
named placeholders, `N_("{name} 已在每日关注名单中", name=person["name"])`, never as an f-string:
the template is the catalogue entry, and `gettext()` fills in the reader's language where the
message is shown (`{{ _(error.reason) }}`). Everywhere else (the JSON API, the sync answers, the
logs, the database) it is simply the Chinese text, a `str`. `Message` and `N_` live in
sync/messages.py, so that the sync engine marks its own reasons the same way without naming the
server; they are this module's too.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

from sync.messages import N_, Message

LOCALES_DIR = Path(__file__).resolve().parent.parent / "web" / "locales"
DEFAULT_LOCALE = "zh_CN"
SUPPORTED = ("zh_CN", "en")
LANG_COOKIE = "lang"

__all__ = ["N_", "Message", "gettext", "ngettext", "negotiate", "html_lang", "translations", "current_locale"]

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


def gettext(message: str) -> str:
    catalogue = translations(current_locale.get())
    if not message:  # the catalogue answers its header for ""
        return message
    if isinstance(message, Message):
        return message.translated(catalogue)
    return catalogue.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


def negotiate(user_locale: str | None, cookie: str | None, accept_language: str | None) -> str:
    """Pick the language: the user's setting, the cookie, then the browser's first supported choice."""
    for choice in (user_locale, cookie):
        if choice in SUPPORTED:
            return choice  # type: ignore[return-value]
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh_CN"
        if tag.startswith("en"):
            return "en"
    return DEFAULT_LOCALE


def html_lang(locale: str) -> str:
    return "zh-CN" if locale == "zh_CN" else locale
