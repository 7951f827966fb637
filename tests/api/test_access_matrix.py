"""Who may call what: every endpoint of the app, for a signed-out client, for each role, and for
users of the same role whose area does not hold the record.

MATRIX names every route (method and path template, as the app declares them). A route the app
has and MATRIX lacks fails `test_every_route_has_an_access_rule`, so a new endpoint cannot ship
without its rule. Path parameters that name a record (`case_id`, `obligation_id`, ...) are filled
with a record of 华师社区 (tests/support/access.py); users of the role outside it must get 404,
the same answer as for an id that does not exist.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import pytest
from litestar.routes import HTTPRoute

from server.accounts.roles import ADMIN, DISTRICT_OFFICER, GRID_WORKER, ROLES, STREET_SUPERVISOR
from tests.support.access import INSIDE, OUTSIDE, OWNED_BY_WORKER, Sessions, add_users_elsewhere, home_records
from tests.support.media import TUS

ANYONE = frozenset(ROLES)
SUPERVISORS = frozenset({STREET_SUPERVISOR, DISTRICT_OFFICER, ADMIN})
DISTRICT = frozenset({DISTRICT_OFFICER, ADMIN})
ADMINS = frozenset({ADMIN})
WRITES = {"POST", "PUT", "PATCH", "DELETE"}

# Path parameter -> the kind of record it names (see tests/support/access.home_records).
RECORD_PARAMS = {
    "household_id": "household", "case_id": "case", "evidence_id": "evidence", "obligation_id": "obligation",
    "period_id": "period", "referral_id": "referral", "declaration_id": "declaration", "snapshot_id": "snapshot",
    "request_id": "verification", "conflict_id": "conflict", "upload_id": "upload", "check_id": "check",
    "entry_id": "watch", "organisation_id": "organisation", "standard_id": "standard", "passkey_id": "passkey",
    "user_id": "user", "task_id": "task",
}


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str] | None  # None: public
    why_public: str = ""
    params: dict = field(default_factory=dict)  # values of path parameters that are not records
    json: dict | None = None
    form: dict | None = None
    headers: dict = field(default_factory=dict)
    inside: tuple[int, str] = (200, "")  # what a user whose area holds the record reads (status, text in the answer)


def public(reason: str, **params) -> Rule:
    return Rule(None, why_public=reason, params=params)


def allow(roles: frozenset[str], *, json: dict | None = None, form: dict | None = None, headers: dict | None = None,
          inside: tuple[int, str] = (200, ""), **params) -> Rule:
    return Rule(roles, params=params, json=json, form=form, headers=headers or {}, inside=inside)


DECISION = {"action": "approve", "expected_status": "approved", "expected_version": "2"}
SCHEMA = "the OpenAPI description of the API, for third-party clients (no data)"
MATRIX: dict[str, Rule] = {
    # Public, each with its reason.
    "GET /": public("the home page; signed out it offers sign-in"),
    "GET /healthz": public("liveness probe for the load balancer"),
    "GET /metrics": public("Prometheus scrape; counts only, kept on the internal network by the proxy"),
    "GET /manifest.json": public("the web app manifest, needed before sign-in to install the app"),
    "GET /sw.js": public("the service worker, registered before sign-in"),
    "GET /i18n/{name:str}": public("the phone's JavaScript words in one language, precached by the service worker", name="en.json"),
    "GET /static/{file_path:path}": public("CSS, JS and icons", file_path="css/app.css"),
    "HEAD /static/{file_path:path}": public("CSS, JS and icons", file_path="css/app.css"),
    "GET /lang/{code:str}": public("switches the interface language (a cookie)", code="en"),
    "GET /signin": public("the sign-in page"),
    "POST /signout": public("ending one's own session; signed out it just redirects"),
    "GET /enroll/{token:str}": public("the invitation link itself is the credential", token="not-a-token"),
    "POST /auth/register/options": public("passkey enrollment ceremony, authorised by the invitation token"),
    "POST /auth/register/verify": public("passkey enrollment ceremony, authorised by the invitation token"),
    "POST /auth/login/options": public("passkey sign-in ceremony"),
    "POST /auth/login/verify": public("passkey sign-in ceremony"),
    "GET /field/offline": public("the offline fallback page the service worker caches"),
    "GET /field/outbox": public("a shell page; the outbox lives in the phone's IndexedDB"),
    "GET /field/local": public("a shell page for records made offline; data comes from IndexedDB"),
    "GET /field/cases/new": public("the old new-case address: a redirect to /field/casework/new that reads nothing"),
    "GET /schema": public(SCHEMA),
    "GET /schema/elements": public(SCHEMA),
    "GET /schema/oauth2-redirect.html": public(SCHEMA),
    "GET /schema/openapi.json": public(SCHEMA),
    "GET /schema/openapi.yaml": public(SCHEMA),
    "GET /schema/openapi.yml": public(SCHEMA),
    "GET /schema/rapidoc": public(SCHEMA),
    "GET /schema/redoc": public(SCHEMA),
    "GET /schema/swagger": public(SCHEMA),
    "GET /schema/{path:str}": public(SCHEMA, path="nothing"),
    # Everyone signed in.
    "GET /account/passkeys": allow(ANYONE),
    "POST /account/passkeys/{passkey_id:int}/rename": allow(ANYONE, form={"name": "新名字"}),
    "POST /account/passkeys/{passkey_id:int}/revoke": allow(ANYONE, form={}),
    "GET /api/households/{household_id:str}": allow(ANYONE),
    "GET /api/cases/{case_id:str}/completeness": allow(ANYONE),
    "GET /api/cases/{case_id:str}/eligibility": allow(ANYONE),
    "GET /api/cases/{case_id:str}/finances": allow(ANYONE),
    "PUT /api/cases/{case_id:str}/finances": allow(ANYONE, json={"members": []}),
    "GET /api/cases/{case_id:str}/verifications": allow(ANYONE),
    "POST /api/cases/{case_id:str}/verifications": allow(ANYONE, json={}),
    "GET /api/eligibility/snapshots/{snapshot_id:str}": allow(ANYONE),
    "GET /casework/cases/{case_id:str}/eligibility": allow(ANYONE),
    "GET /api/declarations": allow(ANYONE),
    "GET /api/evidence/{evidence_id:uuid}/content": allow(ANYONE),
    "GET /api/evidence/{evidence_id:uuid}/thumbnail": allow(ANYONE),
    "GET /api/organisations": allow(ANYONE),
    "GET /api/paperwork/obligations": allow(ANYONE),
    "GET /api/referrals": allow(ANYONE),
    "POST /api/referrals": allow(ANYONE, json={}),
    "GET /api/referrals/{referral_id:str}": allow(ANYONE),
    "GET /casework/referrals": allow(ANYONE),
    "POST /api/referrals/{referral_id:str}/status": allow(ANYONE, json={"status": "received"}),
    "GET /api/standards": allow(ANYONE),
    "GET /api/standards/effective": allow(ANYONE),
    "GET /api/standards/{standard_id:int}": allow(ANYONE),
    "GET /api/procedures/emergency": allow(SUPERVISORS),
    # Field sessions only (the grid workers'): the service worker's token, see server/accounts/csrf.py.
    "GET /api/csrf-token": allow(frozenset({GRID_WORKER})),
    "GET /api/sync/pull": allow(ANYONE),
    "POST /api/sync/push": allow(ANYONE, json={"client_id": "access-test", "mutations": []}),
    "GET /api/sync/conflicts": allow(ANYONE),
    "GET /api/sync/conflicts/{conflict_id:str}": allow(ANYONE),
    "POST /api/sync/conflicts/{conflict_id:str}/resolve": allow(ANYONE, json={"choices": {"notes": "server"}}),
    "POST /api/uploads": allow(ANYONE, headers=TUS | {"Upload-Length": "10"}),
    "HEAD /api/uploads/{upload_id:uuid}": allow(ANYONE, headers=TUS),
    "PATCH /api/uploads/{upload_id:uuid}": allow(ANYONE, headers=TUS | {"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}),
    "DELETE /api/uploads/{upload_id:uuid}": allow(ANYONE, headers=TUS),
    "GET /field": allow(ANYONE),
    "GET /field/capture": allow(ANYONE),
    "GET /field/cases/{case_id:uuid}": allow(ANYONE),
    "GET /field/households/new": allow(ANYONE),
    "GET /field/visit": allow(ANYONE),
    "POST /field/forms/{name:str}": allow(ANYONE, form={}, name="household.upsert"),
    "GET /field/casework/new": allow(ANYONE),
    "GET /field/casework/finances": allow(ANYONE),
    "GET /field/casework/declaration": allow(ANYONE),
    "GET /field/casework/referral": allow(ANYONE),
    "GET /field/tasks": allow(ANYONE),
    "GET /field/tasks/{task_id:uuid}": allow(ANYONE),
    "GET /field/daily": allow(ANYONE),
    "GET /field/daily/check": allow(ANYONE),
    "GET /field/paperwork": allow(ANYONE),
    "GET /field/paperwork/{obligation_id:uuid}": allow(ANYONE),
    "GET /paperwork/verify": allow(ANYONE),
    "POST /paperwork/verify": allow(ANYONE, form={}),
    "GET /paperwork/{obligation_id:uuid}": allow(ANYONE),
    "GET /paperwork/{obligation_id:uuid}/document.pdf": allow(ANYONE),
    "GET /paperwork/{obligation_id:uuid}/signed.pdf": allow(ANYONE, inside=(404, "这份文书还没有签名")),
    "GET /paperwork/cases/{case_id:uuid}": allow(ANYONE),
    # Street supervisors and above.
    "POST /api/cases/{case_id:str}/eligibility/snapshots": allow(SUPERVISORS, json={}),
    "POST /api/verifications/{request_id:str}/result": allow(SUPERVISORS, json={"result": "consistent"}),
    "POST /api/declarations/approve": allow(SUPERVISORS, json={"ids": []}),
    "POST /api/declarations/{declaration_id:str}/reverification": allow(SUPERVISORS, json={}),
    "GET /api/paperwork/backlog": allow(SUPERVISORS),
    "POST /api/paperwork/obligations/{obligation_id:uuid}/waive": allow(SUPERVISORS, json={"reason": "测试"}),
    "GET /paperwork": allow(SUPERVISORS),
    "GET /paperwork/export": allow(SUPERVISORS),
    "POST /paperwork/{obligation_id:uuid}/waive": allow(SUPERVISORS, form={"reason": "测试"}),
    "GET /api/review/queue": allow(SUPERVISORS),
    "GET /api/review/cases/{case_id:uuid}": allow(SUPERVISORS),
    "POST /api/review/cases/{case_id:uuid}/decisions": allow(SUPERVISORS, json=DECISION),
    "GET /review": allow(SUPERVISORS),
    "GET /review/cases/{case_id:uuid}": allow(SUPERVISORS),
    "POST /review/cases/{case_id:uuid}/decisions": allow(SUPERVISORS, form=DECISION),
    "POST /review/cases/{case_id:uuid}/conflicts/{conflict_id:str}/resolve": allow(SUPERVISORS, form={"notes": "server"}),
    "GET /review/export/{what:str}": allow(SUPERVISORS, what="cases"),
    "GET /review/procedures": allow(SUPERVISORS),
    "GET /dashboards": allow(SUPERVISORS),
    "GET /dashboards/report": allow(SUPERVISORS),
    "GET /dashboards/report.xlsx": allow(SUPERVISORS),
    "GET /watch": allow(SUPERVISORS),
    "POST /watch/add": allow(SUPERVISORS, form={}),
    "POST /watch/add-proposed": allow(SUPERVISORS, form={}),
    "POST /watch/{entry_id:uuid}/remove": allow(SUPERVISORS, form={"reason": "测试"}),
    "POST /dailycheck/{check_id:uuid}/handled": allow(SUPERVISORS, form={"note": "测试"}),
    "GET /people": allow(SUPERVISORS),
    "POST /people/{user_id:int}/revoke": allow(SUPERVISORS, form={}),
    "POST /people/{user_id:int}/reinvite": allow(SUPERVISORS, form={}),
    "GET /invitations/new": allow(SUPERVISORS),
    "POST /invitations": allow(SUPERVISORS, form={"role": "grid_worker", "area": "440106004001", "display_name": "测试"}),
    # District officers and admins.
    "POST /api/organisations": allow(DISTRICT, json={}),
    "PUT /api/organisations/{organisation_id:int}": allow(DISTRICT, json={"name": "改名"}),
    "GET /casework/organisations": allow(DISTRICT),
    "POST /casework/organisations": allow(DISTRICT, form={}),
    "POST /api/procedures/emergency": allow(DISTRICT, json={}),
    "POST /api/procedures/emergency/{period_id:int}/end": allow(DISTRICT, json={}),
    "POST /api/procedures/delegation": allow(DISTRICT, json={}),
    "POST /review/procedures/emergency": allow(DISTRICT, form={}),
    "POST /review/procedures/emergency/{period_id:int}/end": allow(DISTRICT, form={}),
    "GET /review/audit": allow(DISTRICT),
    "GET /review/audit/export.csv": allow(DISTRICT),
    # Admins.
    "POST /api/standards": allow(ADMINS, json={}),
    "PUT /api/standards/{standard_id:int}": allow(ADMINS, json={"note": "改"}),
    "GET /casework/standards": allow(ADMINS),
    "POST /casework/standards": allow(ADMINS, form={}),
}

PARAM = re.compile(r"\{(\w+):\w+\}")


def app_routes(app) -> set[str]:
    """Every "METHOD /path/{param:type}" the app answers (OPTIONS, answered for every route by Litestar, left out)."""
    found = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            found |= {f"{method} {route.path}" for method in handler.http_methods if method != "OPTIONS"}
    return found


def url_for(key: str, rule: Rule, records: dict[str, str]) -> str:
    path = key.split(" ", 1)[1]

    def value(match: re.Match) -> str:
        name = match.group(1)
        return records[RECORD_PARAMS[name]] if name in RECORD_PARAMS else rule.params[name]

    return PARAM.sub(value, path)


def record_kinds(key: str) -> list[str]:
    return [RECORD_PARAMS[name] for name in PARAM.findall(key) if name in RECORD_PARAMS]


async def call(client, key: str, rule: Rule, records: dict[str, str], *, with_csrf: bool = True):
    method = key.split(" ", 1)[0]
    headers = dict(rule.headers)
    if not with_csrf:
        headers["x-csrftoken"] = ""
    kwargs: dict = {"headers": headers, "follow_redirects": False}
    if method in WRITES:
        if rule.form is not None:
            kwargs["data"] = rule.form
        elif rule.json is not None:
            kwargs["json"] = rule.json
    return await client.request(method, url_for(key, rule, records), **kwargs)


def guarded() -> list[str]:
    return sorted(k for k, rule in MATRIX.items() if rule.roles is not None)


@pytest.fixture
async def world(client, demo):
    """Sessions for everyone and the records of 华师社区."""
    await add_users_elsewhere()
    sessions = Sessions(client)
    await sessions.start({*INSIDE.values(), *(u for users in OUTSIDE.values() for u in users)})
    records = await home_records(client, sessions)
    return sessions, records


def _is_app_not_found(response) -> bool:
    """A 404 from the app's scope check, not from the router (an id of the wrong shape would be that)."""
    return response.status_code == 404 and "找不到该页面或记录" not in response.text


async def test_every_route_has_an_access_rule(app):
    routes = app_routes(app)
    assert sorted(routes - MATRIX.keys()) == [], "routes without an access rule in MATRIX: add one"
    assert sorted(MATRIX.keys() - routes) == [], "MATRIX names routes the app no longer has"
    for key in MATRIX:
        unknown = [name for name in PARAM.findall(key) if name not in RECORD_PARAMS and name not in MATRIX[key].params]
        assert unknown == [], f"{key}: no value for {unknown}"


async def test_signed_out_client_gets_401_from_every_guarded_route(client, world):
    sessions, records = world
    sessions.use(None)
    wrong = {}
    for key in sorted(MATRIX):
        response = await call(client, key, MATRIX[key], records)
        guarded_route = MATRIX[key].roles is not None
        if guarded_route and response.status_code != 401:
            wrong[key] = response.status_code
        if not guarded_route and response.status_code in (401, 403):
            wrong[key] = f"public, but {response.status_code}"
    assert wrong == {}


async def test_api_401_is_json_and_page_401_offers_sign_in(client, world):
    sessions, records = world
    sessions.use(None)
    api = await client.get(f"/api/households/{records['household']}")
    assert api.json() == {"error": "unauthorized", "reason": "请先登录。"}
    page = await client.get(f"/review/cases/{records['case']}")
    assert page.status_code == 401 and 'href="/signin' in page.text


async def test_write_without_csrf_token_is_refused_before_anything_else(client, world):
    sessions, records = world
    sessions.use("admin")
    wrong = {}
    for key in sorted(k for k in MATRIX if k.split(" ", 1)[0] in WRITES):
        response = await call(client, key, MATRIX[key], records, with_csrf=False)
        if response.status_code != 403:
            wrong[key] = response.status_code
    assert wrong == {}


async def test_roles_without_the_right_get_403(client, world):
    sessions, records = world
    wrong = {}
    for key in guarded():
        rule = MATRIX[key]
        for role in sorted(set(ROLES) - rule.roles):
            for username in [INSIDE[role], *OUTSIDE[role]]:
                sessions.use(username)
                response = await call(client, key, rule, records)
                if response.status_code != 403:
                    wrong[f"{key} as {username}"] = response.status_code
    assert wrong == {}


async def test_records_outside_the_users_area_answer_404(client, world):
    sessions, records = world
    wrong = {}
    for key in guarded():
        rule = MATRIX[key]
        if not record_kinds(key):
            continue
        for role in sorted(rule.roles):
            for username in OUTSIDE[role]:
                sessions.use(username)
                response = await call(client, key, rule, records)
                if not _is_app_not_found(response) or (rule.inside[1] and rule.inside[1] in response.text):
                    wrong[f"{key} as {username}"] = response.status_code
    assert wrong == {}


async def test_records_inside_the_users_area_are_readable(client, world):
    """The other side of the 404s above: the same ids, read by users whose area holds them."""
    sessions, records = world
    wrong = {}
    for key in guarded():
        rule = MATRIX[key]
        kinds = record_kinds(key)
        if not kinds or key.split(" ", 1)[0] in WRITES:
            continue
        for role in sorted(rule.roles):
            if OWNED_BY_WORKER & set(kinds) and role != GRID_WORKER:
                continue
            sessions.use(INSIDE[role])
            response = await call(client, key, rule, records)
            status, text = rule.inside
            if response.status_code != status or text not in response.text:
                wrong[f"{key} as {INSIDE[role]}"] = response.status_code
    assert wrong == {}


def _push(case_id: str) -> dict:
    mutation = {"id": 1, "name": "case.update", "args": {"id": case_id, "notes": "改"}, "base_version": 1, "created_at": "2026-05-23T09:14:00+08:00"}
    return {"client_id": str(uuid.uuid4()), "mutations": [mutation]}


# Writes that name a record or an area in their body, not in the path: (user of an allowed role
# whose area does not hold it, the body given the record's reference, that reference in
# 华师社区, one that does not exist). The two answers must be the same refusal. (An invitation to
# an area outside one's own is refused with 403 and its own message, since area codes are public:
# tests/api/test_auth_pages.py.)
BODY_SCOPED = {
    "POST /api/referrals": ("worker3", lambda ref, r: {"json": {"id": str(uuid.uuid4()), "case_id": ref, "organisation_id": int(r["organisation"]), "reason": "测试"}},
                            lambda r: r["case"], lambda r: str(uuid.uuid4())),
    "POST /api/sync/push": ("worker3", lambda ref, r: {"json": _push(ref)}, lambda r: r["case"], lambda r: str(uuid.uuid4())),
    "POST /api/declarations/approve": ("supervisor_th", lambda ref, r: {"json": {"ids": [ref]}}, lambda r: r["declaration"], lambda r: str(uuid.uuid4())),
    "POST /watch/add": ("supervisor_th", lambda ref, r: {"data": {"person_id": ref, "reasons": "elderly_alone"}}, lambda r: r["person"], lambda r: str(uuid.uuid4())),
    "POST /api/procedures/emergency": ("district_by", lambda ref, r: {"json": {"starts_on": "2026-01-01", "district": ref}},
                                       lambda r: "440106", lambda r: "440199"),
    "POST /api/organisations": ("district_by", lambda ref, r: {"json": {"name": "测试", "kind": "charity", "area": ref}}, lambda r: "440106", lambda r: "440199"),
    "POST /api/standards": ("admin_sz", lambda ref, r: {"json": {"area": ref, "effective_from": "2024-01-01", "dibao_standard": "1000"}},
                            lambda r: "440106004001", lambda r: "440106004999"),
}


def _answer(response) -> tuple[int, object]:
    """Status and what the client reads; ids the client sent itself are left out."""
    if "json" not in response.headers.get("content-type", ""):
        return response.status_code, None
    body = response.json()
    for result in body.get("results", []) if isinstance(body, dict) else []:
        result.pop("id", None)
    return response.status_code, body


def _refused(response) -> bool:
    """An error, or (for answers with one result per item) no item done."""
    if response.status_code >= 400:
        return True
    results = response.json().get("results") if response.status_code == 200 else None
    return bool(results) and all(r["status"] not in ("applied", "approved") for r in results)


async def test_writes_naming_a_record_elsewhere_are_refused_as_if_it_did_not_exist(client, world):
    sessions, records = world
    wrong = {}
    for key, (username, body, elsewhere, missing) in sorted(BODY_SCOPED.items()):
        method, path = key.split(" ", 1)
        sessions.use(username)
        outside = await client.request(method, path, follow_redirects=False, **body(elsewhere(records), records))
        absent = await client.request(method, path, follow_redirects=False, **body(missing(records), records))
        if _answer(outside) != _answer(absent) or not _refused(outside):
            wrong[key] = (_answer(outside), _answer(absent))
    assert wrong == {}
