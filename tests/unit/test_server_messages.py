"""Every message the server puts together from values goes through the catalogue, in both languages.

A Chinese message with values is written `N_("{name} 已在每日关注名单中", name=…)`: the template
is the catalogue entry and is filled in the reader's language where it is shown (server/i18n.py).
A Chinese f-string (or `"…".format()`, `"…" % …`, `"…" + …`) is not in the catalogue, so an
English page would show it in Chinese: none may appear under server/, except in the modules
and lines listed here, each with why. A reason without values is marked too, `N_("请填写姓名")`:
a Chinese literal given to an error class (or as a `reason=`) unmarked fails, and so does a
marked message whose English is missing from the catalogue. The sync engine (sync/) marks its
own reasons with sync/messages.py, the same `N_` without naming the server: every Chinese
literal there is a reason and is marked.
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
from server.i18n import N_, Message
from sync import messages as engine_messages
from tests.support.catalogue import ADD_ENGLISH, PLACEHOLDER, other_placeholders, report, without_english

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"
SYNC = ROOT / "sync"
CHINESE = re.compile(r"[\u3400-\u9fff]")

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
# Text that is data, not a message: stored as it is and shown as the record's own text.
DATA = {
    ("server/demo.py", "{…}{…}号{…}栋{…}房"): "a demo household's address",
    ("server/accounts/services.py", "通行密钥 · {…}"): "a new passkey's default name, stored; its owner renames it",
    ("server/casework/demo.py", "不符合低保条件，但因疫情失业，生活困难"): "a demo referral's reason (`reason=`), stored as the record's own words",
}


def _literal(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def chinese_formatting(path: Path, root: Path = ROOT) -> list[tuple[str, str]]:
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
    return [(f"{path.relative_to(root)}:{line}", text) for line, text in sorted(found)]


def sources() -> list[Path]:
    """The modules whose messages a person reads: the server's and its sync engine's."""
    return [*sorted(SERVER.rglob("*.py")), *sorted(SYNC.rglob("*.py"))]


def unconverted() -> list[str]:
    found = []
    for path in sources():
        name = str(path.relative_to(ROOT))
        if name in OPERATOR_MODULES:
            continue
        found += [f"{where}: {text}" for where, text in chinese_formatting(path) if (name, text) not in DATA]
    return found


def test_no_chinese_message_is_put_together_by_formatting():
    report(unconverted(), 'write these as N_("…{name}…", name=…) (server/i18n.py)')


def test_allow_list_is_not_stale():
    for module in OPERATOR_MODULES:
        assert chinese_formatting(ROOT / module), f"{module} formats no Chinese text any more: take it off OPERATOR_MODULES"
    classes = reason_classes()
    for module, text in DATA:
        found = chinese_formatting(ROOT / module) + unmarked_reasons(ROOT / module, classes)
        assert text in [t for _, t in found], f"{module} no longer has {text!r}: take it off DATA"


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
    found = chinese_formatting(sample, root=tmp_path)
    assert found == [("sample.py:1", "{…} 已签"), ("sample.py:4", "第 {…} 份证据"), ("sample.py:7", "共{}项"), ("sample.py:8", "原因：")]


# The classes whose first words are a reason for the person (or the phone) to read: the server's
# error hierarchy and the sync engine's answers and errors, and every class derived from them.
REASON_CLASSES = {"AppError", "Rejected", "StaleState", "RetryLater", "SyncError"}


def _called(node: ast.AST) -> str | None:
    func = node.func if isinstance(node, ast.Call) else None
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def reason_classes() -> set[str]:
    classes = set(REASON_CLASSES)
    definitions = [node for path in sources() for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.ClassDef)]
    while True:
        derived = {c.name for c in definitions if any(getattr(b, "id", getattr(b, "attr", None)) in classes for b in c.bases)}
        if derived <= classes:
            return classes
        classes |= derived


def _unmarked_chinese(node: ast.AST) -> list[str]:
    """Chinese literals in an expression that are not inside N_() (nor f-strings: see above)."""
    if isinstance(node, ast.Call) and _called(node) == "N_" or isinstance(node, ast.JoinedStr):
        return []
    text = _literal(node)
    if text is not None:
        return [text] if CHINESE.search(text) else []
    return [found for child in ast.iter_child_nodes(node) for found in _unmarked_chinese(child)]


def unmarked_reasons(path: Path, classes: set[str], root: Path = ROOT) -> list[tuple[str, str]]:
    """(where, text) of each Chinese literal given to an error class, or as any call's `reason=`,
    without N_(): it is not in the catalogue, so an English page would show it in Chinese."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        given = [*node.args, *(k.value for k in node.keywords)] if _called(node) in classes else [k.value for k in node.keywords if k.arg == "reason"]
        found += [(node.lineno, text) for value in given for text in _unmarked_chinese(value)]
    return [(f"{path.relative_to(root)}:{line}", text) for line, text in sorted(found)]


def unmarked() -> list[str]:
    classes = reason_classes()
    found = []
    for path in sources():
        name = str(path.relative_to(ROOT))
        if name not in OPERATOR_MODULES:
            found += [f"{where}: {text}" for where, text in unmarked_reasons(path, classes) if (name, text) not in DATA]
    return found


def test_every_literal_reason_given_to_an_error_is_marked_for_the_catalogue():
    assert {"NotFound", "Invalid", "TusError", "RangeNotSatisfiable", "Rejected"} <= reason_classes()
    report(unmarked(), 'mark these N_("…") (server/i18n.py) and add their English')


def test_reason_scanner_finds_unmarked_literals_only(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'raise Invalid("请填写姓名", field="name")\n'
        'raise Invalid(N_("请填写姓名"))\n'
        'raise TusError(410, "gone", row["reason"] or "该上传已过期。")\n'
        'raise TusError(410, "gone", row["reason"] or N_("该上传已过期。"))\n'
        'expect_state(status, "open", reason="该文书已签署。")\n'
        'print("已备份")\n'
        'raise Invalid(N_("请填写{label}", label="姓名"))\n'
        'raise Rejected(f"第 {n} 份")\n',
        encoding="utf-8",
    )
    found = unmarked_reasons(sample, {"Invalid", "TusError", "Rejected"}, root=tmp_path)
    assert found == [("sample.py:1", "请填写姓名"), ("sample.py:3", "该上传已过期。"), ("sample.py:5", "该文书已签署。")]


def engine_unmarked() -> list[str]:
    """Chinese literals under sync/ outside N_() and docstrings: the engine's only Chinese is its
    reasons (an answer's `"reason": …`, a constant, an error's words), and each is marked."""
    found = []
    for path in sorted(SYNC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # Docstrings, and what N_() marks or an f-string puts together (chinese_formatting says so whole).
        skip = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and _literal(node.value) is not None}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) == "N_" or isinstance(node, ast.JoinedStr):
                skip |= {id(child) for child in ast.walk(node)}
        literals = [(node.lineno, node.value) for node in ast.walk(tree) if _literal(node) is not None and CHINESE.search(node.value) and id(node) not in skip]
        found += [f"{path.relative_to(ROOT)}:{line}: {text}" for line, text in sorted(literals)]
        found += [f"{where}: {text}" for where, text in chinese_formatting(path)]
    return found


def test_every_reason_of_the_sync_engine_is_marked_for_the_catalogue():
    assert {"ConflictClosed", "ClientNotYours", "BadRequest"} <= reason_classes()
    report(engine_unmarked(), 'mark these N_("…") (sync/messages.py) and add their English')


def test_the_sync_engine_names_no_server():
    for path in sorted(SYNC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not [n for n in names if n.split(".")[0] in ("server", "litestar")], f"{path.relative_to(ROOT)}:{node.lineno} imports {names}"
    assert Message is engine_messages.Message  # one Message: the server's _() translates the engine's


def server_messages() -> list[str]:
    """Every Chinese catalogue entry marked in server/ and sync/ (N_, _, gettext), outside operator output."""
    ids: dict[str, None] = {}
    for path in sources():
        if str(path.relative_to(ROOT)) in OPERATOR_MODULES:
            continue
        for _line, message, _comments, _context in extract_from_file("python", str(path)):
            for text in message if isinstance(message, tuple) else (message,):
                if text and CHINESE.search(text):
                    ids[text] = None
    return list(ids)


def test_every_marked_server_message_has_its_english():
    messages = server_messages()
    assert "请填写姓名" in messages and "不能上传空文件。" in messages and "该冲突已处理，未按这次的选择更改；请查看处理结果。" in messages
    report(without_english(messages), ADD_ENGLISH)


def test_every_message_template_has_its_english_with_the_same_placeholders():
    templates = [m for m in server_messages() if PLACEHOLDER.search(m)]
    assert "{name} 已在每日关注名单中" in templates and "请填写{label}" in templates and "未知的操作：{name}" in templates
    report(other_placeholders(templates), "the English names other placeholders")


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
