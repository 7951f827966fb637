"""Plain form posts, for a browser without the page's JavaScript (online only).

The same mutation as the outbox would send goes through the sync engine's push, as a one-off
client of its own, so that validation, scope, audit fields and the change feed are the same.
Field names follow the convention of web/static/js/forms.js: "members.0.name" → members[0].name.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

from server.accounts.current import CurrentUser
from server.clock import now
from server.errors import Invalid
from server.i18n import N_
from server.sync_api.controllers import caller_of
from sync.push import Mutation, push

# The field app is used in China: a datetime-local value without a UTC offset is Beijing time.
BEIJING = timezone(timedelta(hours=8))
FORM_MUTATIONS = {"household.upsert", "case.create", "visit.record", "task.answer"}


def _assign(target, path: list[str], value: str, name: str) -> None:
    head, rest = path[0], path[1:]
    if head in target and isinstance(target[head], dict) != bool(rest):  # "area" and "area.x" both given
        raise Invalid(N_("表单字段相互冲突"), field=name)
    if not rest:
        target[head] = value
        return
    child = target.setdefault(head, {})
    _assign(child, rest, value, name)


def _is_index(key: str) -> bool:
    """"0", "12": a list position (not "²" or "１", which isdigit() takes but int() does not, nor a huge number)."""
    return key.isascii() and key.isdigit() and len(key) <= 4


def _lists(value):
    """Objects keyed "0", "1", … become lists; blank items (no name, empty text) are dropped."""
    if isinstance(value, dict):
        value = {k: _lists(v) for k, v in value.items()}
        if value and all(_is_index(k) for k in value):
            items = [value[k] for k in sorted(value, key=int)]
            return [i for i in items if i != "" and not (isinstance(i, dict) and "name" in i and not i["name"])]
    return value


def form_args(form: dict[str, str]) -> dict:
    args: dict = {}
    for name, value in form.items():
        if name.startswith("_"):
            continue
        value = value.strip()
        if name == "visited_at" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d", value):
            value = datetime.fromisoformat(value).replace(tzinfo=BEIJING).isoformat()
        _assign(args, name.split("."), value, name)
    args = _lists(args)
    if not args.get("id"):
        args["id"] = str(uuid.uuid4())
    return args


async def apply_form(user: CurrentUser, name: str, form: dict[str, str]) -> dict:
    """Apply one form as a mutation; answers its arguments, or raises Invalid with the reason."""
    if name not in FORM_MUTATIONS:
        raise Invalid(N_("不支持该表单"))
    args = form_args(form)
    mutation = Mutation(id=1, name=name, args=args, created_at=now().isoformat())
    answer = await push(caller_of(user), f"form-{uuid.uuid4()}", [mutation])
    result = answer["results"][0]
    if result["status"] != "applied":
        raise Invalid(result.get("reason") or N_("提交未被接受"), field=result.get("field"))
    return args


def next_page(form: dict[str, str], args: dict) -> str:
    """Where to go after the form: its `_next`, with `{id}`-style names filled from the arguments;
    a page of this site only ("//host" and "/\\host" lead elsewhere), else the caseload."""
    target = re.sub(r"\{(\w+)\}", lambda m: args[m.group(1)] if isinstance(args.get(m.group(1)), str) else m.group(0), form.get("_next", "/field"))
    return target if re.match(r"/(?![/\\])", target) and not re.search(r"[{}\\]", target) else "/field"
