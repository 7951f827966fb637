"""The Jinja2 environment: templates from web/templates, gettext from server.i18n."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import escape
from litestar.template.config import TemplateConfig

from server import i18n
from server.accounts.roles import ROLE_LABEL
from server.cases.kinds import CASE_TYPES, PROCEDURES, STATUSES
from server.eligibility.compute import OUTCOMES as ELIGIBILITY_OUTCOMES
from server.households.idnumber import mask

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"


def _escaped(translate):
    """Jinja takes what `_()` answers as safe HTML. A catalogue message is, but `_()` of a record's
    text (a name, an address, a note) answers that text itself: escape it, so that it shows as text.
    The message is %-formatted only when given variables (`_("%(n)s 人", n=3)`): Jinja's newstyle
    gettext formats every message, so a reason or a record's text holding "%" ("0% 到 100%") failed
    the whole page."""

    def translated(*args, **variables):
        text = escape(translate(*args))
        return text % variables if variables else text

    return translated


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(_escaped(i18n.gettext), _escaped(i18n.ngettext), newstyle=False)  # type: ignore[attr-defined]
    env.globals.update(
        ROLE_LABEL=ROLE_LABEL,
        CASE_TYPES=CASE_TYPES,
        STATUSES=STATUSES,
        PROCEDURES=PROCEDURES,
        ELIGIBILITY_OUTCOMES=ELIGIBILITY_OUTCOMES,
        current_locale=i18n.current_locale.get,
        html_lang=lambda: i18n.html_lang(i18n.current_locale.get()),
    )
    env.filters["mask_id"] = mask
    env.filters["stored"] = _escaped(i18n.translate_stored)  # stored Chinese text (a reason, a label) in the page's language
    return env


def template_config() -> TemplateConfig:
    from litestar.plugins.jinja import JinjaTemplateEngine as Engine

    return TemplateConfig(instance=Engine.from_environment(make_environment()))
