"""Language choice and the English catalogue."""

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from server.i18n import negotiate

LOCALES = Path(__file__).resolve().parents[2] / "web" / "locales"


def test_chinese_is_the_default():
    assert negotiate(None, None, None) == "zh_CN"
    assert negotiate(None, None, "fr-FR,de") == "zh_CN"


def test_browser_language_is_followed():
    assert negotiate(None, None, "en-US,en;q=0.9") == "en"
    assert negotiate(None, None, "zh-TW,en;q=0.5") == "zh_CN"


def test_user_setting_beats_cookie_beats_browser():
    assert negotiate("en", "zh_CN", "zh-CN") == "en"
    assert negotiate(None, "en", "zh-CN") == "en"
    assert negotiate("xx", None, "en") == "en"


def test_compiled_catalogue_matches_the_po_file():
    with (LOCALES / "en/LC_MESSAGES/messages.po").open("rb") as handle:
        po = {m.id: m.string for m in read_po(handle) if m.id}
    with (LOCALES / "en/LC_MESSAGES/messages.mo").open("rb") as handle:
        mo = {m.id: m.string for m in read_mo(handle) if m.id}
    translated = {k: v for k, v in po.items() if v}
    assert translated == {k: v for k, v in mo.items() if k in translated}, "run `make messages`"
