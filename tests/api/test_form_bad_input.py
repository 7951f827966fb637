"""Bad input to every form post outside /api answers a clear 4xx and changes nothing.

Every non-GET route of the app outside /api and /auth (those are fuzzed by test_schemathesis.py,
test_bad_input.py and test_auth_bad_input.py) is posted to by a user of the least role allowed to
use it (tests/api/test_access_matrix.MATRIX, which must name every route of the app), with a valid
CSRF token, and with: no fields, each field missing, each field holding junk (huge, NUL, ids out
of range, wrong enum values, impossible dates, numbers no column holds, …), fields given twice,
unknown field names, bodies that are not a form at all (JSON, invalid UTF-8, multipart, oversized)
and junk path parameters. Whatever happens:

- no answer is a 5xx;
- a 4xx page or HTMX fragment says in Chinese what was wrong (a visible role="alert" element);
- a refused request leaves every table of the app as it was (audit trail, sessions and the sync
  ledger of the one-off form client aside).

A new route is fuzzed as soon as it is added to MATRIX; FORMS gives it a valid body to start from.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from urllib.parse import quote

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from piccolo.engine.postgres import PostgresEngine

from server.accounts.roles import ADMIN, DISTRICT_OFFICER, GRID_WORKER, STREET_SUPERVISOR
from server.accounts.tables import Invitation
from server.audit.tables import AuditEvent
from server.clock import now
from server.db import get_engine
from server.field.forms import FORM_MUTATIONS
from tests.api.test_access_matrix import MATRIX, OWNED_BY_WORKER, PARAM, RECORD_PARAMS, WRITES, app_routes, record_kinds, url_for, world  # noqa: F401
from server.dailycheck.tables import DailyCheck
from server.households.tables import Household, Person
from server.procedures.tables import EmergencyPeriod
from server.templating import make_environment
from tests.api.test_sync_support import id_number
from tests.support.review_cases import make_case
from tests.support.access import HOME, INSIDE
from tests.support.auth import sign_in
from tests.support.database import all_tables

# Tables a refused request may touch: the audit trail records refusals, sessions note their last
# use, and a form post goes through the sync engine as a one-off client whose ledger keeps the
# rejected mutation (so a re-sent one answers the same; the first push also names the sync epoch).
BOOKKEEPING = {"audit_event", "auth_session", "webauthn_challenge", "sync_epoch", "sync_client", "sync_mutation", "sync_failure"}
LEAST_FIRST = [GRID_WORKER, STREET_SUPERVISOR, DISTRICT_OFFICER, ADMIN]
FIELD_FORM = "POST /field/forms/{name:str}"
NEW = "{new}"  # a fresh id, made for each request

# A body each route accepts (or refuses only for the state of the record): the fields to spoil.
FORMS: dict[str, dict[str, str]] = {
    "POST /account/passkeys/{passkey_id:int}/rename": {"name": "新名字"},
    "POST /account/passkeys/{passkey_id:int}/revoke": {},
    "POST /paperwork/verify": {"file": "%PDF-1.7"},
    "POST /paperwork/{obligation_id:uuid}/waive": {"reason": "测试", "expected_version": "1"},
    "POST /review/cases/{case_id:uuid}/decisions": {
        "action": "return", "expected_status": "submitted", "expected_version": "1", "reason_code": "missing_documents",
        "reason_text": "缺材料", "request": "请补充", "assignee": "{user}", "in_person_confirmed": "on",
    },
    "POST /review/cases/{case_id:uuid}/conflicts/{conflict_id:str}/resolve": {"choice_notes": "server"},
    "POST /watch/add": {"person_id": "{unwatched}", "reasons": "elderly_alone", "note": "测试", "area": HOME},
    "POST /watch/add-proposed": {"area": HOME},
    "POST /watch/{entry_id:uuid}/remove": {"reason": "测试", "area": HOME},
    "POST /dailycheck/{check_id:uuid}/handled": {"note": "测试", "next": "/dashboards/"},
    "POST /people/{user_id:int}/revoke": {},
    "POST /people/{user_id:int}/reinvite": {},
    "POST /invitations": {"role": "grid_worker", "area": HOME, "display_name": "测试", "username": "ce.shi"},
    "POST /casework/organisations": {"name": "测试救助站", "kind": "charity", "area": "440106", "due_days": "10", "contact_phone": "13800138000"},
    "POST /review/procedures/emergency": {
        "district": "440106", "starts_on": "2026-01-01", "ends_on": "2026-03-01", "spot_check_percent": "30",
        "tekun_spot_check_percent": "50", "reason": "测试",
    },
    "POST /review/procedures/emergency/{period_id:int}/end": {"ends_on": "2026-12-31"},
    "POST /casework/standards": {
        "area": HOME, "effective_from": "2025-01-01", "dibao_standard": "1200", "dibao_minimum": "10", "low_income_multiple": "1.5",
        "tekun_multiple": "1.3", "asset_limit_months": "24", "extension_months": "3", "note": "测试", "is_example": "on",
    },
}
# Records the base bodies need that the access tests' records are not (see `records` below).
RECORD_OF_PATH = {"POST /review/cases/{case_id:uuid}/decisions": {"case_id": "submitted"}}
# The plain-form mutations of the field app, by name (server/field/forms.py).
FIELD_FORMS: dict[str, dict[str, str]] = {
    "household.upsert": {
        "id": "{new}", "area": HOME, "address": "天河路1号", "contact_phone": "13800138000",
        "members.0.name": "王某", "members.0.id_number": id_number(7), "members.0.relation": "self", "_next": "/field",
    },
    "case.create": {"id": "{new}", "household_id": "{household}", "type": "dibao", "procedure": "normal", "notes": "测试", "_next": "/field/cases/{id}"},
    "visit.record": {
        "id": "{new}", "case_id": "{case}", "mode": "phone", "visited_at": "2026-05-23T09:14", "investigators.0": "王网格",
        "investigators.1": "李网格", "members_situation": "在家", "notes": "测试", "_next": "/field",
    },
    "task.answer": {"id": "{task}", "answer": "已补充", "_next": "/field/tasks"},
}

MB = 1_000_000
JUNK: dict[str, str] = {
    "empty": "",
    "blank": "   ",
    "1 MB": "长" * (MB // 3),
    "NUL": "a\x00b",
    "only NUL": "\x00",
    "beyond int32": str(2**31),
    "beyond int64": str(2**64),
    "400 digits": "9" * 400,
    "5000 digits": "9" * 5000,
    "negative": "-1",
    "negative huge": "-" + "9" * 30,
    "non-numeric": "abc",
    "uuid-like junk": "00000000-0000-0000-0000-00000000000g",
    "unknown uuid": "7d9f3c1e-5b2a-4c8e-9f10-2a3b4c5d6e7f",
    "wrong enum": "not_a_choice",
    "2026-02-30": "2026-02-30",
    "0000-00-00": "0000-00-00",
    "year 99999": "99999-01-01",
    "1e309": "1e309",
    "NaN": "NaN",
    "Infinity": "-Infinity",
    "-0": "-0",
    "12 decimals": "0.123456789012",
    "superscript digit": "²",
    "full-width digits": "１２３",
    "format braces": "{0}{id.__class__}{",
    "path": "../../etc/passwd",
    "markup": "<script>alert(1)</script>",
    "control characters": "\x01\x1b[31m\u202e\ufeff",
    "lone surrogate escape": "\\ud800",
}


@dataclass(frozen=True)
class Target:
    """One route with its path parameters and a body it accepts."""

    key: str
    params: dict
    form: dict[str, str]

    @property
    def method(self) -> str:
        return self.key.split(" ", 1)[0]

    def __str__(self) -> str:
        name = self.params.get("name")
        return f"{self.key} ({name})" if name else self.key


def form_routes(app) -> list[str]:
    """Every non-GET route outside /api and the passkey ceremonies, as the app declares it."""
    return sorted(
        key for key in app_routes(app)
        if key.split(" ", 1)[0] in WRITES and not key.split(" ", 1)[1].startswith(("/api/", "/auth/")) and key != "POST /signout"
    )


def targets(key: str, records: dict[str, str]) -> list[Target]:
    rule = MATRIX[key]
    if key == FIELD_FORM:
        return [Target(key, {"name": name}, FIELD_FORMS[name]) for name in sorted(FORM_MUTATIONS)]
    params = {name: records[kind] for name, kind in RECORD_OF_PATH.get(key, {}).items()}
    return [Target(key, {**rule.params, **params}, FORMS.get(key, rule.form or {}))]


def user_for(key: str) -> str:
    """The least role allowed to use the route (the worker for records only their owner reaches)."""
    rule = MATRIX[key]
    if OWNED_BY_WORKER & set(record_kinds(key)) or rule.roles is None:
        return INSIDE[GRID_WORKER]
    return INSIDE[next(role for role in LEAST_FIRST if role in rule.roles)]


def filled(form: dict[str, str], records: dict[str, str]) -> dict[str, str]:
    out = {}
    for name, value in form.items():
        if value != NEW and value.startswith("{") and value.endswith("}") and value[1:-1] in records:
            value = records[value[1:-1]]
        out[name] = value
    return out


# --- what the client reads ------------------------------------------------------------------


class _Alerts(HTMLParser):
    """The text of every visible role="alert" element of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if self.depth:
            self.depth += 1
        elif attributes.get("role") == "alert" and "hidden" not in attributes:
            self.depth = 1
            self.texts.append("")

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.texts[-1] += data


CHINESE = re.compile(r"[\u4e00-\u9fff]{2,}")


def unreadable(response) -> str | None:
    """Why a 4xx answer does not tell a person what was wrong, or None when it does."""
    kind = response.headers.get("content-type", "")
    if "json" in kind:
        body = response.json()
        return None if isinstance(body, dict) and CHINESE.search(str(body.get("reason", ""))) else f"JSON without a reason: {body}"
    if "html" not in kind:
        return f"a {kind or 'bodiless'} 4xx"
    parser = _Alerts()
    parser.feed(response.text)
    if not any(CHINESE.search(text) for text in parser.texts):
        return f"no Chinese alert in the page: {response.text[:300]!r}"
    return None


class Snapshots:
    """A digest of every table but the bookkeeping ones, read beside the app (raw SQL: thousands
    of snapshots per test): its row count and the sum of its rows' hashes, which any inserted,
    deleted or changed row moves."""

    def __init__(self) -> None:
        self.engine = get_engine()
        self.names = sorted(t._meta.tablename for t in all_tables() if t._meta.tablename not in BOOKKEEPING)
        self.connection = None

    async def take(self) -> dict[str, str]:
        if isinstance(self.engine, PostgresEngine):
            if self.connection is None:
                self.connection = await asyncpg.connect(self.engine.config["dsn"])
            query = " UNION ALL ".join(
                f"SELECT '{name}', count(*) || ':' || coalesce(sum(hashtext(x::text)::bigint), 0) FROM \"{name}\" x" for name in self.names
            )
            return {row[0]: row[1] for row in await self.connection.fetch(query)}
        if self.connection is None:
            self.connection = sqlite3.connect(self.engine.path, timeout=30)
        digests = {}
        for name in self.names:  # a sum of row hashes: the same whatever order the rows come in
            rows = self.connection.execute(f'SELECT * FROM "{name}"').fetchall()
            digests[name] = f"{len(rows)}:{sum(hash(repr(row)) for row in rows)}"
        self.connection.commit()  # end the read transaction, or the next read sees this moment again
        return digests

    async def close(self) -> None:
        if self.connection is not None:
            result = self.connection.close()
            if result is not None:
                await result


def changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if after[name] != before[name])


class Checker:
    """Sends requests for one target and collects what went wrong with their answers."""

    def __init__(self, client, target: Target, records: dict[str, str], snapshots: Snapshots) -> None:
        self.client = client
        self.snapshots = snapshots
        self.last: dict | None = None
        self.target = target
        self.records = records
        self.wrong: dict[str, str] = {}
        self.sent = 0

    def url(self, params: dict | None = None) -> str:
        params = {**self.target.params, **(params or {})}
        rule = replace(MATRIX[self.target.key], params=params)
        records = self.records | {RECORD_PARAMS[name]: value for name, value in params.items() if name in RECORD_PARAMS}
        return url_for(self.target.key, rule, records)

    async def send(self, label: str, *, params: dict | None = None, htmx: bool = False, **kwargs) -> None:
        headers = dict(kwargs.pop("headers", {}))
        if htmx:
            headers["HX-Request"] = "true"
        if isinstance(kwargs.get("data"), dict):  # a new record each time, or the first would make the rest conflicts
            kwargs["data"] = {k: str(uuid.uuid4()) if v == NEW else v for k, v in kwargs["data"].items()}
        if isinstance(kwargs.get("content"), bytes):
            kwargs["content"] = kwargs["content"].replace(quote(NEW).encode(), str(uuid.uuid4()).encode())
        before = self.last or await self.snapshots.take()
        response = await self.client.request(self.target.method, self.url(params), headers=headers, follow_redirects=False, **kwargs)
        self.sent += 1
        status = response.status_code
        where = f"{self.target} {label}{' (htmx)' if htmx else ''}"
        self.last = await self.snapshots.take()
        if status >= 500:
            self.wrong[where] = str(status)
        elif status >= 400:
            problem = unreadable(response)
            if problem:
                self.wrong[where] = f"{status}: {problem}"
            if changed(before, self.last):
                self.wrong[where] = f"{status} but changed {changed(before, self.last)}"

    async def form(self, label: str, fields: dict, **kwargs) -> None:
        for htmx in (False, True):
            await self.send(label, data=fields, htmx=htmx, **kwargs)

    async def raw(self, label: str, body: bytes, content_type: str = "application/x-www-form-urlencoded", **kwargs) -> None:
        for htmx in (False, True):
            await self.send(label, content=body, headers={"Content-Type": content_type}, htmx=htmx, **kwargs)


def encoded(fields: dict[str, str]) -> bytes:
    return "&".join(f"{quote(k)}={quote(v)}" for k, v in fields.items()).encode()


async def fuzz(checker: Checker, base: dict[str, str]) -> None:
    """Every kind of bad input, one request at a time, as a page and again as HTMX."""
    await checker.form("with no fields", {})
    for name in base:
        await checker.form(f"without {name}", {k: v for k, v in base.items() if k != name})
    # Each kind of junk goes into every third field (all of them when there are fewer), turn by
    # turn: every field gets a third of the junk, every junk reaches some field of every form;
    # as a page and as HTMX in turn.
    stride = min(3, len(base)) or 1
    for place, name in enumerate(base):
        for number, (label, junk) in enumerate(JUNK.items()):
            if (place + number) % stride == 0:
                await checker.send(f"{name}={label}", data=base | {name: junk}, htmx=bool(number % 2))
        await checker.form(f"{name} twice", base | {name: [base[name], JUNK["wrong enum"]]})
        await checker.raw(f"{name} as invalid UTF-8", encoded({k: v for k, v in base.items() if k != name}) + f"&{quote(name)}=".encode() + b"%FF%FE%C0%AF")
        await checker.raw(f"{name} as raw invalid UTF-8 bytes", encoded({k: v for k, v in base.items() if k != name}) + f"&{quote(name)}=".encode() + b"\xff\xfe")
    for label, extra in {
        "unknown field": {"no_such_field": "1"},
        "nested onto a value": {"area.x": "1", "members.0.name.x": "1"},
        "list index with a superscript": {"members.².name": "王某"},
        "list index of 5000 digits": {f"members.{'9' * 5000}.name": "王某"},
        "1 MB field name": {"n" * MB: "1"},
        "NUL in a field name": {"a\x00b": "1"},
        "empty field name": {"": "1"},
    }.items():
        await checker.form(label, base | extra)
    await checker.raw("a body of 1 MB of NUL", b"\x00" * MB)
    await checker.raw("invalid UTF-8 throughout", b"\xff\xfe\xfd=\xc3\x28&\x80=\x80")
    await checker.raw("not urlencoded", b"%%%&&&===%zz")
    await checker.raw("a JSON body where a form is expected", json.dumps(base).encode(), "application/json")
    await checker.raw("a JSON array", b"[1, 2, 3]", "application/json")
    await checker.raw("truncated JSON", b"{\"a\": ", "application/json")
    await checker.raw("form body labelled as JSON", encoded(base), "application/json")
    await checker.raw("form body labelled as XML", encoded(base), "application/xml")
    await checker.raw("multipart without a boundary", encoded(base), "multipart/form-data")
    await checker.raw("multipart with a broken body", b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1", "multipart/form-data; boundary=x")
    await checker.send("as multipart", files={"file": ("a.txt", b"hello", "text/plain")}, data=base)
    await checker.raw("an oversized body (11 MB)", b"a=" + b"x" * (11 * MB))


def path_junk(key: str) -> list[tuple[str, dict]]:
    """Junk for each path parameter that names a record or is free text."""
    out = []
    for name in PARAM.findall(key):
        kind = re.search(r"\{" + name + r":(\w+)\}", key).group(1)
        values = {
            "int": ["2147483648", "99999999999999999999", "-1", "0", "abc", "1e3"],
            "uuid": ["00000000-0000-0000-0000-000000000000", str(uuid.uuid4()), "not-a-uuid"],
            "str": ["x" * 5000, "%00", "%FF%FE", "..%2F..%2Fetc", str(uuid.uuid4()), "2147483648"],
        }.get(kind, ["x"])
        out += [(f"path {name}={value[:20]}", {name: value}) for value in values]
    return out


# --- the tests ------------------------------------------------------------------------------


async def test_every_form_route_is_fuzzed_from_a_valid_body(app):
    routes = form_routes(app)
    assert len(routes) >= 18
    assert sorted(set(routes) - MATRIX.keys()) == [], "routes without an access rule in MATRIX (test_access_matrix.py)"
    assert sorted(FORMS.keys() - set(routes)) == [], "FORMS names routes the app no longer has"
    assert sorted(FORM_MUTATIONS) == sorted(FIELD_FORMS), "a plain-form mutation without a body in FIELD_FORMS"


@pytest.fixture
async def records(world) -> dict[str, str]:
    """The access tests' records, a case still waiting for a decision (the access tests' one is
    approved) with a person not on the watch roster, and needs on the daily check (or it has
    nothing to handle)."""
    sessions, home = world
    made = await make_case(community=HOME, status="submitted", serial=902, name="未关注人")
    person = await Person.select(Person.id).where(Person.household == uuid.UUID(made["household_id"])).first()
    await DailyCheck.update({DailyCheck.needs: "food"}).where(DailyCheck.id == uuid.UUID(home["check"]))
    return home | {"submitted": made["case_id"], "unwatched": str(person["id"])}


async def test_every_valid_body_is_accepted(client, world, records):
    """The other side of the fuzzing: the bodies it spoils are ones the routes take."""
    sessions, _ = world
    wrong = {}
    # Revoking ends what the rest need: last.
    for key in sorted(_all_form_routes(), key=lambda k: ("revoke" in k, k)):
        sessions.use(user_for(key))
        for target in targets(key, records):
            checker = Checker(client, target, records, Snapshots())
            data = {k: str(uuid.uuid4()) if v == NEW else v for k, v in filled(target.form, records).items()}
            files = {"file": ("document.pdf", data.pop("file").encode(), "application/pdf")} if "file" in data else None
            response = await client.request(target.method, checker.url(), data=data, files=files, follow_redirects=False)
            if response.status_code >= 400:
                wrong[str(target)] = f"{response.status_code} {response.text[-300:]}"
    assert wrong == {}, "\n".join(f"{where}: {what}" for where, what in wrong.items())


def _all_form_routes() -> list[str]:
    """The routes to fuzz, read from MATRIX (which test_access_matrix keeps equal to the app's)."""
    return sorted(key for key in MATRIX if key.split(" ", 1)[0] in WRITES and not key.split(" ", 1)[1].startswith(("/api/", "/auth/"))
                  and key != "POST /signout")


@pytest.mark.parametrize("key", _all_form_routes())
async def test_bad_form_input_answers_a_clear_4xx_and_changes_nothing(client, world, records, key):
    sessions, _ = world
    sessions.use(user_for(key))
    wrong, sent = {}, 0
    snapshots = Snapshots()
    for target in targets(key, records):
        checker = Checker(client, target, records, snapshots)
        base = filled(target.form, records)
        await fuzz(checker, base)
        for label, params in path_junk(key):
            if key == FIELD_FORM and "name" in params and target.params["name"] != sorted(FORM_MUTATIONS)[0]:
                continue  # the name's junk once
            await checker.send(label, params=params, data=base)
        wrong |= checker.wrong
        sent += checker.sent
    await snapshots.close()
    assert sent > 40
    assert wrong == {}, "\n".join(f"{where}: {what}" for where, what in wrong.items())


# --- regressions found by the fuzzing above -------------------------------------------------


async def test_a_reason_with_a_percent_sign_is_shown_not_a_500(client, demo):
    # The page of any error whose reason held "%" (抽查比例应在 0% 到 100% 之间) was a 500: Jinja's
    # newstyle gettext formatted the reason as a %-template.
    await sign_in(client, "district", kind="desktop")
    form = {"district": "440106", "starts_on": "2026-01-01", "spot_check_percent": "-1"}
    for headers in ({}, {"HX-Request": "true"}):
        response = await client.post("/review/procedures/emergency", data=form, headers=headers, follow_redirects=False)
        assert response.status_code == 400, response.text
        assert "抽查比例应在 0% 到 100% 之间" in response.text
    assert await EmergencyPeriod.count() == 0


def test_template_text_with_a_percent_sign_is_shown_as_it_is_and_variables_still_fill_in():
    env = make_environment()
    page = env.from_string("{{ _(reason) }}|{{ _('%(n)s 人', n=count) }}")
    assert page.render(reason="收入减少 50%以上 <b>", count="<3>") == "收入减少 50%以上 &lt;b&gt;|&lt;3&gt; 人"


def household_form(**change) -> dict[str, str]:
    form = {k: str(uuid.uuid4()) if v == NEW else v for k, v in FIELD_FORMS["household.upsert"].items()}
    return form | change


@pytest.mark.parametrize(
    "change",
    [{"area.code": "1"}, {"members.².name": "王某"}, {f"members.{'9' * 5000}.name": "王某"}, {"members.0.name.x": "王某"}],
    ids=["a field and a field under it", "a superscript list position", "a list position of 5000 digits", "a member's name and a field under it"],
)
async def test_field_form_with_names_that_make_no_arguments_is_400(client, demo, change):
    # Each was a 500: "area" and "area.code" together (a str cannot hold a field), "²" taken by
    # isdigit() but not int(), and int() refuses more than 4,300 digits.
    await sign_in(client, "worker")
    response = await client.post("/field/forms/household.upsert", data=household_form(**change), follow_redirects=False)
    assert response.status_code == 400, response.text
    assert unreadable(response) is None
    assert await Household.count() == 48


@pytest.mark.parametrize("target", ["{0}{id.__class__}{", "/field/{nothing}", "/\\evil.example", "//evil.example", "/{members}"])
async def test_field_form_next_page_that_is_not_a_page_here_leads_to_the_caseload(client, demo, target):
    # "{0}" and a lone "{" were a 500 (str.format) after the household was saved; "/\\host" is
    # another site for a browser.
    await sign_in(client, "worker")
    form = household_form(_next=target)
    response = await client.post("/field/forms/household.upsert", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/field"
    assert await Household.count().where(Household.id == uuid.UUID(form["id"])) == 1


async def test_field_form_next_page_names_the_new_record(client, demo):
    await sign_in(client, "worker")
    form = household_form(_next="/field/households/{id}?from=form")
    response = await client.post("/field/forms/household.upsert", data=form, follow_redirects=False)
    assert response.headers["location"] == f"/field/households/{form['id']}?from=form"


async def test_the_snapshot_sees_a_change_to_any_row_and_none_to_bookkeeping(demo):
    snapshots = Snapshots()
    before = await snapshots.take()
    await Household.update({Household.address: "天河路2号"}).where(Household.id == (await Household.select(Household.id).first())["id"])
    await AuditEvent(action="test", target_type="", target_id="", detail={}, at=now()).save()
    after = await snapshots.take()
    await snapshots.close()
    assert changed(before, after) == ["household"]


# --- any fields, any junk -------------------------------------------------------------------

NAMES = st.sampled_from(sorted({name for form in [*FORMS.values(), *FIELD_FORMS.values()] for name in form} | {"x", "a.b", "members.0.x"}))
VALUES = st.one_of(st.sampled_from(list(JUNK.values())), st.text(max_size=30), st.integers().map(str), st.floats().map(str))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(key=st.sampled_from(_all_form_routes()), spoilt=st.dictionaries(NAMES, VALUES, max_size=4), dropped=st.sets(NAMES, max_size=3),
       htmx=st.booleans())
async def test_any_fields_with_any_junk_never_fail_and_a_refusal_changes_nothing(client, world, records, key, spoilt, dropped, htmx):
    sessions, _ = world
    sessions.use(user_for(key))
    target = targets(key, records)[len(spoilt) % len(targets(key, records))]
    base = filled(target.form, records)
    form = {name: value for name, value in (base | spoilt).items() if name not in dropped}
    checker = Checker(client, target, records, Snapshots())
    await checker.send("", data=form, htmx=htmx)
    await checker.snapshots.close()
    assert checker.wrong == {}, f"{target} {form!r:.300}: {checker.wrong}"


@pytest.mark.parametrize(
    ("username", "url", "form"),
    [
        ("district", "/casework/organisations", {"name": "测试", "kind": "charity", "area": "440106\x00"}),
        ("admin", "/casework/standards", {"area": "\x00", "effective_from": "2025-01-01", "dibao_standard": "1200"}),
        ("supervisor", "/invitations", {"role": "grid_worker", "area": HOME, "display_name": "李\x00娜"}),
        ("district", "/review/procedures/emergency", {"district": "440106\x00", "starts_on": "2026-01-01"}),
        ("supervisor", "/watch/add-proposed", {"area": "\x00"}),
        ("supervisor", "/watch/add-proposed", {"area\x00": HOME}),
    ],
    ids=["organisation area", "standard area", "invitation name", "emergency district", "watch area", "a field name"],
)
async def test_a_form_field_holding_nul_is_400_before_any_handler_reads_it(client, demo, username, url, form):
    # PostgreSQL compares and keeps no text holding NUL: each was a 500 there.
    await sign_in(client, username, kind="desktop")
    for headers in ({}, {"HX-Request": "true"}):
        response = await client.post(url, data=form, headers=headers, follow_redirects=False)
        assert response.status_code == 400, response.text
        assert "表单内容含有空字符（NUL）。" in response.text


async def test_an_invitation_name_longer_than_its_column_is_400(client, demo):
    # A display name over 100 characters overflowed the column on PostgreSQL: a 500.
    await sign_in(client, "supervisor", kind="desktop")
    form = {"role": "grid_worker", "area": HOME, "display_name": "李" * 101}
    response = await client.post("/invitations", data=form, follow_redirects=False)
    assert response.status_code == 400 and "姓名不能超过 100 个字" in response.text
    assert await Invitation.count() == 0
