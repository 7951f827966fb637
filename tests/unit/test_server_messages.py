"""Every message the server puts together from values goes through the catalogue, in both languages.

A Chinese message with values is written `N_("{name} 已在每日关注名单中", name=…)`: the template
is the catalogue entry and is filled in the reader's language where it is shown (server/i18n.py).
A Chinese f-string (or `"…".format()`, `"…" % …`, `"…" + …`) is not in the catalogue, so an
English page would show it in Chinese: none may appear under server/, except in the modules
and lines listed here, each with why.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import msgspec
import pytest
from babel.messages.extract import extract_from_file
from babel.support import NullTranslations

from server import i18n
from server.i18n import N_, Message, translations

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
CHINESE = re.compile(r"[\u3400-\u9fff]")
PLACEHOLDER = re.compile(r"\{(\w+)\}")

# Output for the operator at a terminal: no reader's language is chosen there (no user, no cookie,
# no browser), and these lines already carry an English gloss in brackets where it matters. The
# backup module's refusals are only ever printed by `doorstep restore`.
OPERATOR_MODULES = {
    "server/cli.py": "command-line output",
    "server/operations/commands.py": "command-line output",
    "server/operations/backup.py": "refusals printed by doorstep backup/restore only",
    "server/audit/commands.py": "command-line output",
    "server/procedures/commands.py": "command-line output",
}
# Packages whose messages are still to be converted by the engineer working on them; a package
# listed here with no Chinese f-string left fails test_allow_list_is_not_stale.
UNCONVERTED_PACKAGES = {
    "server/uploads/": "the tus reasons (TusError) are being reworked in that package; N_(…, values) is ready for them",
}
# Text that is data, not a message: stored as it is and shown as the record's own text.
DATA = {
    ("server/demo.py", "{…}{…}号{…}栋{…}房"): "a demo household's address",
    ("server/accounts/services.py", "通行密钥 · {…}"): "a new passkey's default name, stored; its owner renames it",
}


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def chinese_formatting(path: Path) -> list[tuple[str, str]]:
    """(where, text) of each Chinese string put together by formatting; {…} marks a value."""
    source = path.read_text(encoding="utf-8")
    found = []
    for node in ast.walk(ast.parse(source)):
        text = None
        if isinstance(node, ast.JoinedStr):
            text = "".join(_literal(part) if _literal(part) is not None else "{…}" for part in node.values)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            text = _literal(node.func.value)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
            text = _literal(node.left) or _literal(node.right)
        if text and CHINESE.search(text):
            found.append((node.lineno, text))
    return [(f"{path.relative_to(ROOT)}:{line}", text) for line, text in sorted(found)]


def unconverted() -> list[str]:
    found = []
    for path in sorted(SERVER.rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name in OPERATOR_MODULES or name.startswith(tuple(UNCONVERTED_PACKAGES)):
            continue
        found += [f"{where}: {text}" for where, text in chinese_formatting(path) if (name, text) not in DATA]
    return found


def test_no_chinese_message_is_put_together_by_formatting():
    assert unconverted() == [], 'write these as N_("…{name}…", name=…) (server/i18n.py):\n' + "\n".join(unconverted())


def test_allow_list_is_not_stale():
    for module in OPERATOR_MODULES:
        assert chinese_formatting(ROOT / module), f"{module} formats no Chinese text any more: take it off OPERATOR_MODULES"
    for package in UNCONVERTED_PACKAGES:
        assert any(chinese_formatting(p) for p in (ROOT / package).rglob("*.py")), f"{package} is converted: take it off UNCONVERTED_PACKAGES"
    for module, text in DATA:
        assert text in [t for _, t in chinese_formatting(ROOT / module)], f"{module} no longer has {text!r}: take it off DATA"


def test_scanner_finds_f_strings_format_and_concatenation(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'a = f"{name} 已签"\n'
        'b = N_("{name} 已签", name=name)\n'
        'c = (\n    f"第 {n} 份"\n    "证据"\n)\n'
        'd = "共{}项".format(n)\n'
        'e = "原因：" + why\n'
        'f = f"{n} items"\n'
        '# g = f"注释 {n}"\n',
        encoding="utf-8",
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        found = chinese_formatting(sample)
    finally:
        ROOT = saved
    assert found == [("sample.py:1", "{…} 已签"), ("sample.py:4", "第 {…} 份证据"), ("sample.py:7", "共{}项"), ("sample.py:8", "原因：")]


def server_templates() -> list[str]:
    """The server's catalogue entries with {placeholders}: the templates of its messages."""
    ids: dict[str, None] = {}
    for path in sorted(SERVER.rglob("*.py")):
        for _line, message, _comments, _context in extract_from_file("python", str(path)):
            if isinstance(message, str) and PLACEHOLDER.search(message) and CHINESE.search(message):
                ids[message] = None
    return list(ids)


def test_every_message_template_has_its_english_with_the_same_placeholders():
    english = translations("en")
    templates = server_templates()
    assert "{name} 已在每日关注名单中" in templates and "请填写{label}" in templates
    missing = [m for m in templates if english.gettext(m) == m]
    assert missing == [], "add these to web/locales/pairs/*.tsv and run `make messages`:\n" + "\n".join(missing)
    differ = [m for m in templates if sorted(PLACEHOLDER.findall(english.gettext(m))) != sorted(PLACEHOLDER.findall(m))]
    assert differ == [], "the English names other placeholders:\n" + "\n".join(differ)


@pytest.fixture
def english():
    token = i18n.current_locale.set("en")
    yield
    i18n.current_locale.reset(token)


def test_a_message_is_its_chinese_text_until_shown():
    message = N_("{name} 已在每日关注名单中", name="王伟")
    assert isinstance(message, str) and message == "王伟 已在每日关注名单中"
    assert i18n.gettext(message) == "王伟 已在每日关注名单中"  # Chinese is the default language
    assert json.dumps({"reason": message}, ensure_ascii=False) == '{"reason": "王伟 已在每日关注名单中"}'
    assert N_("照片") == "照片" and not isinstance(N_("照片"), Message)  # without values: the plain string


def test_a_message_is_shown_in_the_readers_language_with_its_values_translated(english):
    message = N_("不能从“{current}”变为“{wanted}”", current="待审核", wanted="退回补充")
    assert i18n.gettext(message) == "Cannot go from “Awaiting review” to “Returned for more evidence”"
    nested = N_("请选择{label}", label=N_("选项"))
    assert i18n.gettext(N_("案件资料不完整，不能提交审核：{reason}", reason=nested)) == (
        "The case is incomplete and cannot be submitted for review: Option: choose one"
    )
    assert i18n.gettext(N_("{name} 已在每日关注名单中", name="王伟")) == "王伟 is already on the daily watch list"
    assert i18n.gettext("") == ""  # not the catalogue's header


def test_a_translation_naming_other_placeholders_shows_the_chinese():
    class Broken(NullTranslations):
        def gettext(self, message):
            return "Changed by {someone}"

    assert N_("{name} 已经签过这份文书。", name="李娜").translated(Broken()) == "李娜 已经签过这份文书。"


def test_a_copied_message_keeps_its_template(english):
    import copy
    import pickle
    from dataclasses import asdict, dataclass

    @dataclass
    class Check:
        detail: str

    message = N_("{name}：{age}岁（60岁以上）", name="王伟", age=66)
    for copied in (copy.deepcopy(message), pickle.loads(pickle.dumps(message)), asdict(Check(message))["detail"]):
        assert copied == "王伟：66岁（60岁以上）" and i18n.gettext(copied) == "王伟: 66 years old (60 or over)"


def test_a_sync_answer_holding_a_message_is_stored_as_its_chinese_text():
    from sync.push import _plain_text

    answer = {"status": "rejected", "reason": N_("{name} 已经签过这份文书。", name="李娜"), "missing": [{"reason": N_("请填写{label}", label="姓名")}]}
    with pytest.raises(TypeError):
        msgspec.json.encode(answer)
    stored = msgspec.json.decode(msgspec.json.encode(answer, enc_hook=_plain_text))
    assert stored == {"status": "rejected", "reason": "李娜 已经签过这份文书。", "missing": [{"reason": "请填写姓名"}]}
