"""Simplified Chinese first, English second.

Templates are written in Chinese and marked with `_()`; the English catalogue translates them.
The language is the user's setting, else the `lang` cookie, else the browser's Accept-Language.

A message put together from values (a name, a count) is written as its Chinese template with
named placeholders, `N_("{name} 已在每日关注名单中", name=person["name"])`, never as an f-string:
the template is the catalogue entry, and `gettext()` fills in the reader's language where the
message is shown (`{{ _(error.reason) }}`). Everywhere else (the JSON API, the sync answers, the
logs, the database) it is simply the Chinese text, a `str`.
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


class Message(str):
    """A Chinese message with its template and values, for translating where it is shown.

    It is its Chinese text (`str`), so JSON answers, comparisons and storage see the stable
    Chinese reason. `gettext()` formats the catalogue's translation of `template` instead, each
    text value translated too when the catalogue has it (a status label, a field's label; a
    person's name has no entry and stays as it is), as the phone's `t()` does
    (web/static/js/i18n.js). Placeholders are `{name}`, the same as the phone's.
    """

    template: str
    values: dict[str, object]

    def __new__(cls, template: str, values: dict[str, object]) -> Message:
        message = super().__new__(cls, template.format_map(values))
        message.template = template
        message.values = values
        return message

    def __reduce__(self):  # copies (dataclasses.asdict) and pickles keep the template
        return Message, (self.template, self.values)

    def translated(self, catalogue: NullTranslations) -> str:
        values = {key: _translated(value, catalogue) for key, value in self.values.items()}
        try:
            return catalogue.gettext(self.template).format_map(values)
        except (KeyError, IndexError, ValueError):  # a translation naming other placeholders: the Chinese
            return str(self)


def _translated(value: object, catalogue: NullTranslations) -> object:
    if isinstance(value, Message):
        return value.translated(catalogue)
    if isinstance(value, str) and value:  # "" would answer the catalogue's header
        return catalogue.gettext(value)
    return value


def N_(message: str, **values: object) -> str:
    """Marks a string for the catalogue where it is defined; it is translated where it is shown.

    With named values, answers a `Message`: the Chinese filled in now, the reader's language
    where it is shown."""
    return Message(message, values) if values else message


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
