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

Text the server *stored* in Chinese (a sync answer kept for a duplicate, an upload's refusal, a
reason read back from the database) is a plain `str`: its template is gone, so `gettext()` finds
it only when it has no values. `translate_stored()` also finds a filled-in template by its
pattern ("王伟：65岁（60岁以上）" is "{name}：{age}岁（60岁以上）"), each value translated in turn:
the Python counterpart of the phone's `t()` (web/static/js/i18n.js `byPattern`), so that a stored
reason reads the same on the server's pages as on the phone. Templates show it with the `stored`
filter (server/templating.py), `{{ line.note|stored }}`; a person's own text is never given to it.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from gettext import find as gettext_find
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.support import NullTranslations, Translations

from sync.messages import N_, Message

LOCALES_DIR = Path(__file__).resolve().parent.parent / "web" / "locales"
DOMAIN = "messages"
DEFAULT_LOCALE = "zh_CN"
SUPPORTED = ("zh_CN", "en")
LANG_COOKIE = "lang"

__all__ = ["N_", "Message", "gettext", "ngettext", "translate_stored", "negotiate", "html_lang", "translations", "current_locale"]

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@lru_cache(maxsize=None)
def translations(locale: str) -> NullTranslations:
    if locale == DEFAULT_LOCALE:
        return NullTranslations()
    return Translations.load(str(LOCALES_DIR), [locale], domain=DOMAIN)


def gettext(message: str) -> str:
    catalogue = translations(current_locale.get())
    if not message:  # the catalogue answers its header for ""
        return message
    if isinstance(message, Message):  # its values may be stored text (a refusal's reason): found by pattern too
        return message.translated(_StoredWords(current_locale.get()))
    return catalogue.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_locale.get()).ngettext(singular, plural, n)


# As in web/static/js/i18n.js: a placeholder is {name} (ASCII word characters, as JavaScript's \w);
# only templates with two Chinese characters of their own take part ("{name}：{reason}" would match
# too much), the most specific (longest literal part) first, each value matched lazily.
PLACEHOLDER = re.compile(r"\{(\w+)\}", re.ASCII)
CHINESE_WORD = re.compile(r"[\u3400-\u9fff]{2}")


@dataclass(frozen=True)
class _Pattern:
    template: str
    names: tuple[str, ...]
    regex: re.Pattern[str]


def _translated_ids(locale: str) -> list[str]:
    """The message ids the compiled catalogue translates, in its order: the file `translations()`
    loads, read back through Babel's public reader (gettext's translations keep them private)."""
    path = gettext_find(DOMAIN, str(LOCALES_DIR), [locale])
    if path is None:
        return []
    with open(path, "rb") as compiled:
        catalogue = read_mo(compiled)
    return [m.id for m in catalogue if isinstance(m.id, str) and m.id and m.string and m.string != m.id]


@lru_cache(maxsize=None)
def _patterns(locale: str) -> tuple[_Pattern, ...]:
    """The catalogue's translated templates with placeholders, as patterns, the most specific first."""
    chosen = [key for key in _translated_ids(locale) if PLACEHOLDER.search(key) and CHINESE_WORD.search(PLACEHOLDER.sub("", key))]
    chosen.sort(key=lambda key: len(PLACEHOLDER.sub("", key)), reverse=True)  # stable, as Array.prototype.sort
    return tuple(
        _Pattern(key, tuple(PLACEHOLDER.findall(key)), re.compile("(.+?)".join(re.escape(part) for part in PLACEHOLDER.split(key)[::2]), re.S))
        for key in chosen
    )


def _fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda found: values.get(found.group(1), found.group(0)), text)


def _stored(locale: str, message: str) -> str:
    catalogue = translations(locale)
    text = catalogue.gettext(message)
    if text != message or locale == DEFAULT_LOCALE:
        return text
    for pattern in _patterns(locale):
        found = pattern.regex.fullmatch(message)
        if found:
            values = dict(zip(pattern.names, (_stored(locale, value) for value in found.groups())))
            return _fill(catalogue.gettext(pattern.template), values)
    return message


class _StoredWords:
    """A catalogue whose gettext finds stored text by its pattern too (for a Message's values)."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def gettext(self, message: str) -> str:
        return _stored(self.locale, message) if message else message


def translate_stored(message: str) -> str:
    """Stored Chinese text (a reason, a label, a conclusion) in the reader's language: the catalogue's
    entry, else the template it was filled in from, with its values translated in turn; else the
    text as it is. Not for a person's own text (a name, an address, a note)."""
    if not message:
        return message
    if isinstance(message, Message):
        return gettext(message)
    return _stored(current_locale.get(), str(message))


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
