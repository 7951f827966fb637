"""Every word the phone's JavaScript shows goes through the catalogue, in both languages.

A Chinese string in a module under web/static/ must be the first argument of `t("…")` (shown in
the page's language) or `N_("…")` (kept as it is where it is defined, translated where it is
shown), never a bare literal or the text of a template literal; and every such word has its
English in the catalogue (web/locales/pairs/*.tsv, `make messages`), with the same {placeholders}.
The server answers those words, and the server's own, at /i18n/<locale>.json from the lists
`make messages` writes to web/locales/field-words.json, which must be those of the sources now.
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest

from scripts import field_words
from server.field import messages
from server.i18n import translations
from server.templating import STATIC_DIR
from tests.support.catalogue import ADD_ENGLISH, other_placeholders, report, without_english

ROOT = STATIC_DIR.parent.parent
# Chinese words, and Chinese punctuation (，：（）、； …): a "：" glued to a translated word stays Chinese in English.
CHINESE = re.compile(r"[\u3001-\u303f\u3400-\u9fff\uff01-\uff5e]")
# Modules not yet translated, each with why; the lead shrinks this list as they are done.
# A module listed here that has no untranslated word left fails test_allow_list_is_not_stale.
UNTRANSLATED_MODULES: dict[str, str] = {}  # module: why its words are not translated yet
REGEX_BEFORE = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "do", "else", "in", "of", "void", "yield", "await", ""}


def tokens(source: str, line: int = 1):
    """(kind, text, line) for names, punctuation, strings and the literal parts of templates; the
    expressions inside ${…} are tokenized in turn. Comments and regular expressions are skipped."""
    i, n, previous = 0, len(source), ""
    while i < n:
        c = source[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif source.startswith("//", i):
            i = source.find("\n", i) if "\n" in source[i:] else n
        elif source.startswith("/*", i):
            end = source.index("*/", i) + 2
            line += source.count("\n", i, end)
            i = end
        elif c in "\"'":
            j = i + 1
            while source[j] != c:
                j += 2 if source[j] == "\\" else 1
            yield "string", source[i + 1 : j], line
            previous, i = "string", j + 1
        elif c == "`":
            j, text = i + 1, ""
            while source[j] != "`":
                if source[j] == "\\":
                    text, j = text + source[j : j + 2], j + 2
                elif source.startswith("${", j):
                    yield "template", text, line
                    text, depth, k = "", 1, j + 2
                    while depth:  # the expression's end (braces and strings inside are balanced)
                        depth += {"{": 1, "}": -1}.get(source[k], 0)
                        k += 1
                    yield from tokens(source[j + 2 : k - 1], line)
                    line += source.count("\n", j, k)
                    j = k
                else:
                    line += source[j] == "\n"
                    text, j = text + source[j], j + 1
            yield "template", text, line
            previous, i = "string", j + 1
        elif c == "/" and previous in REGEX_BEFORE:
            j, in_class = i + 1, False
            while in_class or source[j] != "/":
                in_class = (in_class or source[j] == "[") and source[j] != "]"
                j += 2 if source[j] == "\\" else 1
            i = j + 1
            while i < n and source[i].isalpha():
                i += 1
            previous = "regex"
        elif c.isalnum() or c in "_$":
            j = i
            while j < n and (source[j].isalnum() or source[j] in "_$"):
                j += 1
            yield "name", source[i:j], line
            previous, i = source[i:j], j
            previous = previous if previous in REGEX_BEFORE else "name"
        else:
            yield "punct", c, line
            previous, i = (c if c in REGEX_BEFORE else ")"), i + 1


def untranslated(path: Path, root: Path = ROOT) -> list[str]:
    """The Chinese words of a module that are not the first argument of t() or N_()."""
    found, recent = [], []
    for kind, text, line in tokens(path.read_text(encoding="utf-8")):
        if kind in ("string", "template") and CHINESE.search(text):
            marked = kind == "string" and [t[:2] for t in recent[-2:]] in ([("name", "t"), ("punct", "(")], [("name", "N_"), ("punct", "(")])
            if not marked:
                found.append(f"{path.relative_to(root)}:{line}: {text}")
        recent.append((kind, text))
    return found


def modules() -> list[Path]:
    return sorted(p for p in STATIC_DIR.glob("**/*.js") if "vendor" not in p.relative_to(STATIC_DIR).parts)


def test_every_chinese_word_of_a_module_goes_through_t():
    assert "web/static/js/i18n.js" in {str(p.relative_to(ROOT)) for p in modules()}
    words = [w for p in modules() if str(p.relative_to(ROOT)) not in UNTRANSLATED_MODULES for w in untranslated(p)]
    report(words, 'wrap these in t("…") (or N_ where defined, t() where shown)')


def test_allow_list_is_not_stale():
    for module in UNTRANSLATED_MODULES:
        assert untranslated(ROOT / module), f"{module} has no untranslated word left: take it off UNTRANSLATED_MODULES"


def test_scanner_finds_bare_and_template_words(tmp_path):
    sample = tmp_path / "web" / "static" / "sample.js"
    sample.parent.mkdir(parents=True)
    sample.write_text(
        '// 注释不算\nconst a = t("待同步");\nconst b = "离线";\nconst c = `已保存（${t("照片")}）`;\n'
        'const d = s.replace(/[（）]"/g, "");\nconst e = N_("标记");\nconst f = cut("待审核");\n/* 也不算 */\n'
        'const g = list.join("；") + t("、");\n'
    )
    found = untranslated(sample, root=tmp_path)
    assert found == ["web/static/sample.js:3: 离线", "web/static/sample.js:4: 已保存（", "web/static/sample.js:4: ）",
                     "web/static/sample.js:7: 待审核", "web/static/sample.js:9: ；"]


def test_every_word_of_the_modules_has_its_english():
    ids = field_words.js_message_ids()
    assert "在线" in ids and "待同步" in ids and "无法连接服务器，稍后自动重试。" in ids
    report(without_english(ids), ADD_ENGLISH)
    report(other_placeholders(ids), "the English names other placeholders")


def test_written_words_are_those_of_the_sources():
    written = messages.WORDS_FILE.read_text(encoding="utf-8").splitlines()
    now = field_words.field_words().splitlines()
    changes = [line for line in difflib.unified_diff(written, now, "written", "sources", lineterm="", n=0) if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    report(changes, f"{messages.WORDS_FILE.relative_to(ROOT)} is out of date: run `make messages`")


def test_words_answer_each_marked_word_with_its_english_in_file_order():
    """/i18n/en.json: the modules' words, then the server's (its reasons, for the sync answers the phone shows)."""
    english = translations("en")
    marked = dict.fromkeys([*field_words.js_message_ids(), *field_words.server_message_ids()])
    assert list(messages.js_messages("en").items()) == [(m, english.gettext(m)) for m in marked if english.gettext(m) != m]
    assert messages.js_messages("zh_CN") == {}


@pytest.fixture
def written_words(tmp_path, monkeypatch):
    """A words file of the test's own in place of web/locales/field-words.json."""
    path = tmp_path / "field-words.json"
    monkeypatch.setattr(messages, "WORDS_FILE", path)
    messages._field_words.cache_clear()
    messages.js_messages.cache_clear()
    yield path
    messages._field_words.cache_clear()
    messages.js_messages.cache_clear()


def test_words_are_read_from_the_written_file_not_the_sources(written_words):
    written_words.write_text(json.dumps({"js": ["在线", "没有这个词"], "server": ["请填写姓名", "在线"]}), encoding="utf-8")
    english = translations("en")
    assert messages.js_messages("en") == {"在线": english.gettext("在线"), "请填写姓名": english.gettext("请填写姓名")}
    assert messages.js_messages("en")["在线"] == "Online"
