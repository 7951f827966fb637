"""Every Chinese word a page shows goes through the catalogue, its punctuation too.

In a template under web/templates/, Chinese text (words, and Chinese punctuation: ：，（）、；)
must be inside the string given to `_("…")`: not in the HTML around a tag (`{{ _("设备的值") }}：`
shows "Device's value：" in English), nor in another string of an expression
(`join("、")`; `join(_("、"))` is right). The PDF documents (pdf/) are the statutory Chinese
forms and are never translated.
"""

from __future__ import annotations

import re
from pathlib import Path

from server.templating import TEMPLATES_DIR

CHINESE = re.compile(r"[\u3001-\u303f\u3400-\u9fff\uff01-\uff5e]")  # not U+3000, the ideographic space
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
STRING = re.compile(r"""(_\(\s*)?("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""")
NOT_TRANSLATED = {"pdf"}
# Chinese a page shows in every language, each with why.
KEPT = {("base.html", "中文"): "the language switch names Chinese in Chinese (lang=\"zh-CN\")"}


def untranslated(path: Path, root: Path = TEMPLATES_DIR) -> list[str]:
    """The Chinese of a template outside the strings given to _(): 'file:line: text'."""
    source = path.read_text(encoding="utf-8")
    name = str(path.relative_to(root))

    def line(offset: int) -> int:
        return source.count("\n", 0, offset) + 1

    found, position = [], 0
    for tag in [*TAG.finditer(source), None]:
        end = tag.start() if tag else len(source)
        for run in re.finditer(r"[^<>]+", source[position:end]):  # the text around the tags
            text = run.group().strip()
            if CHINESE.search(text) and (name, text) not in KEPT:
                found.append(f"{name}:{line(position + run.start())}: {text}")
        if tag is None:
            break
        position = tag.end()
        if tag.group().startswith("{#"):
            continue
        for string in STRING.finditer(tag.group()):  # strings in an expression: only _()'s own
            if CHINESE.search(string.group(2)) and not string.group(1):
                found.append(f"{name}:{line(tag.start())}: {string.group(2)}")
    return found


def templates() -> list[Path]:
    return sorted(p for p in TEMPLATES_DIR.rglob("*.html") if not NOT_TRANSLATED & set(p.relative_to(TEMPLATES_DIR).parts))


def test_every_chinese_word_of_a_template_goes_through_the_catalogue():
    assert len(templates()) > 50
    words = [w for p in templates() for w in untranslated(p)]
    assert words == [], "put these inside the _(\"…\") they belong to (and their English in web/locales/pairs/*.tsv):\n" + "\n".join(words)


def test_kept_chinese_is_still_there():
    for (name, text), why in KEPT.items():
        assert f">{text}<" in (TEMPLATES_DIR / name).read_text(encoding="utf-8"), f"{name} no longer shows {text} ({why}): take it off KEPT"


def test_scanner_finds_glued_punctuation_and_bare_strings(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        '{# 注释不算 #}\n<p>{{ _("设备的值") }}：<span></span></p>\n<p>{{ _("设备的值：") }}<b>{{ name }}</b></p>\n'
        '<td>{{ names | join("、") }}</td><td>{{ names | join(_("、")) }}</td>\n'
        '<option>{{ o.name }}（{{ _(KINDS[o.kind]) }}）</option>\n<p>{{ _("%(n)s 人", n=3) }} 待同步</p>\n'
        '{{ "　" if indent else "" }}\n',
        encoding="utf-8",
    )
    assert untranslated(sample, tmp_path) == [
        "sample.html:2: ：", "sample.html:4: \"、\"", "sample.html:5: （", "sample.html:5: ）", "sample.html:6: 待同步",
    ]
