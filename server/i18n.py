"""Simplified Chinese first, English second.

Templates are written in Chinese and marked with `_()`; the English catalogue translates them.
The language is the user's setting, else the `lang` cookie, else the browser's Accept-Language.
"""

from __future__ import annotations

from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "web" / "locales"
DEFAULT_LOCALE = "zh_CN"
SUPPORTED = ("zh_CN", "en")
LANG_COOKIE = "lang"

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(LOCALES_DIR), [locale], domain="messages")


def N_(message: str) -> str:
    """Marks a string for the catalogue where it is defined; it is translated where it is shown."""
    return message


def gettext(message: str) -> str:
    return translations(current_locale.get()).gettext(message)


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
