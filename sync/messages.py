"""The engine's reasons for the person reading them, marked for the catalogue.

The engine answers in Chinese: the JSON of the API, the stored result of a push (compared when a
mutation is sent again) and the logs keep that text. A reason is marked where it is written,
`N_("该冲突已处理…")`, or, put together from values, `N_("未知的操作：{name}", name=…)`, never as
an f-string: the template is the catalogue entry (`make messages` extracts sync/ too), and the
server's `_()` shows it in the reader's language, as the phone's `t()` does with the words of
/i18n/<locale>.json. The engine names no web framework and no catalogue: `translated` takes any
object with `gettext`.
"""

from __future__ import annotations

from typing import Protocol


class Catalogue(Protocol):
    def gettext(self, message: str) -> str: ...


class Message(str):
    """A Chinese message with its template and values, for translating where it is shown.

    It is its Chinese text (`str`), so JSON answers, comparisons and storage see the stable
    Chinese reason. `translated()` formats the catalogue's translation of `template` instead, each
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

    def translated(self, catalogue: Catalogue) -> str:
        values = {key: _translated(value, catalogue) for key, value in self.values.items()}
        try:
            return catalogue.gettext(self.template).format_map(values)
        except (KeyError, IndexError, ValueError):  # a translation naming other placeholders: the Chinese
            return str(self)


def _translated(value: object, catalogue: Catalogue) -> object:
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
