"""Reads of personal data leave a trace: every signed-in GET route is classified here, and the
test fails for a route that is not. A read of one person's or one case's data (case and
household pages, finances and eligibility, evidence, documents, exports) writes an audit event
naming the reader and the record; lists show ID numbers masked.
"""

from __future__ import annotations

import uuid

from server.accounts.tables import User
from server.audit.tables import AuditEvent
from server.households.idnumber import mask
from server.households.tables import Person
from tests.api.test_access_matrix import MATRIX, call, guarded
from tests.api.test_access_matrix import world  # noqa: F401  (fixture)
from tests.support.access import INSIDE

# route -> (audit target type, the record it names: a kind of tests.support.access.home_records, or "=literal")
AUDITED = {
    "GET /api/households/{household_id:str}": ("household", "household"),
    "GET /api/cases/{case_id:str}/eligibility": ("case", "case"),
    "GET /api/cases/{case_id:str}/finances": ("case", "case"),
    "GET /api/cases/{case_id:str}/verifications": ("case", "case"),
    "GET /casework/cases/{case_id:str}/eligibility": ("case", "case"),
    "GET /api/eligibility/snapshots/{snapshot_id:str}": ("eligibility_snapshot", "snapshot"),
    "GET /api/evidence/{evidence_id:uuid}/content": ("evidence", "evidence"),
    "GET /api/evidence/{evidence_id:uuid}/thumbnail": ("evidence", "evidence"),
    "GET /api/referrals/{referral_id:str}": ("referral", "referral"),
    "GET /api/sync/conflicts/{conflict_id:str}": ("conflict", "conflict"),
    "GET /field/cases/{case_id:uuid}": ("case", "case"),
    "GET /field/tasks/{task_id:uuid}": ("task", "task"),
    "GET /field/paperwork/{obligation_id:uuid}": ("obligation", "obligation"),
    "GET /paperwork/{obligation_id:uuid}": ("obligation", "obligation"),
    "GET /paperwork/{obligation_id:uuid}/document.pdf": ("obligation", "obligation"),
    "GET /paperwork/{obligation_id:uuid}/signed.pdf": ("obligation", "obligation"),
    "GET /paperwork/cases/{case_id:uuid}": ("case", "case"),
    "GET /api/review/cases/{case_id:uuid}": ("case", "case"),
    "GET /review/cases/{case_id:uuid}": ("case", "case"),
    "GET /review/export/{what:str}": ("export", "=cases"),
    "GET /paperwork/export": ("export", "=paperwork"),
    "GET /review/audit/export.csv": ("audit", "=440106"),
    # One event per page that delivers records, naming the device (no client_id given here: "").
    "GET /api/sync/pull": ("sync_client", "="),
}
# Lists of people or cases: ID numbers masked (the reader opens a record to see more, which is audited).
LISTS = {
    "GET /api/declarations", "GET /api/paperwork/obligations", "GET /api/referrals", "GET /casework/referrals",
    "GET /api/sync/conflicts", "GET /field", "GET /field/casework/new", "GET /field/tasks",
    "GET /field/daily", "GET /field/daily/check", "GET /field/paperwork", "GET /api/paperwork/backlog", "GET /paperwork",
    "GET /api/review/queue", "GET /review", "GET /watch", "GET /people", "GET /review/audit",
}
# Routes that read no one's personal data, each with the reason.
NOT_PERSONAL = {
    "GET /account/passkeys": "one's own passkeys",
    "GET /api/csrf-token": "this browser's CSRF token",
    "GET /api/cases/{case_id:str}/completeness": "which fields are missing, with no values",
    "GET /api/organisations": "organisations that take referrals (office contacts)",
    "GET /casework/organisations": "organisations that take referrals (office contacts)",
    "GET /api/standards": "local assistance standards",
    "GET /api/standards/effective": "local assistance standards",
    "GET /api/standards/{standard_id:int}": "local assistance standards",
    "GET /casework/standards": "local assistance standards",
    "GET /api/procedures/emergency": "emergency periods of districts",
    "GET /review/procedures": "emergency periods of districts",
    "GET /dashboards": "counts per area",
    "GET /dashboards/report": "counts per area",
    "GET /dashboards/report.xlsx": "counts per area",
    "GET /invitations/new": "the invitation form",
    "GET /paperwork/verify": "the form to check a PDF",
    "GET /field/capture": "a shell page; the evidence is on the device",
    "GET /field/visit": "a shell page; the case is read from the device",
    "GET /field/households/new": "an empty form",
    "GET /field/casework/finances": "a shell page; the finances are read from the device",
    "GET /field/casework/declaration": "a shell page; the declaration is read from the device",
    "GET /field/casework/referral": "a shell page; the referrals are read from the device",
}
PARAMS = {"GET /review/export/{what:str}": {"format": "csv"}, "GET /paperwork/export": {"format": "csv"}}


def _reader(key: str) -> str:
    """The least senior user who may call the route and whose area holds the records."""
    for role in ("grid_worker", "street_supervisor", "district_officer", "admin"):
        if role in MATRIX[key].roles:
            return INSIDE[role]
    raise AssertionError(key)


async def test_every_signed_in_read_is_classified():
    reads = {key for key in guarded() if key.startswith("GET ")}
    classified = AUDITED.keys() | LISTS | NOT_PERSONAL.keys()
    assert sorted(reads - classified) == [], "GET routes not classified: audited, list or not personal?"
    assert sorted(classified - reads) == []
    assert not (AUDITED.keys() & LISTS) and not (AUDITED.keys() & NOT_PERSONAL.keys()) and not (LISTS & NOT_PERSONAL.keys())


async def test_each_read_of_personal_data_is_audited_with_reader_and_record(client, world):
    sessions, records = world
    missing = {}
    for key in sorted(AUDITED):
        target_type, kind = AUDITED[key]
        target_id = kind[1:] if kind.startswith("=") else records[kind]
        username = _reader(key)
        reader = await User.select(User.id).where(User.username == username).first()
        last = await AuditEvent.select(AuditEvent.id).order_by(AuditEvent.id, ascending=False).first()
        sessions.use(username)
        rule = MATRIX[key]
        url_params = PARAMS.get(key)
        response = await (client.get(_url(key, rule, records), params=url_params) if url_params else call(client, key, rule, records))
        assert response.status_code == rule.inside[0], f"{key}: {response.status_code} {response.text[:200]}"
        events = await AuditEvent.select(AuditEvent.actor, AuditEvent.target_type, AuditEvent.target_id).where(
            AuditEvent.id > (last["id"] if last else 0)
        )
        if {"actor": reader["id"], "target_type": target_type, "target_id": target_id} not in events:
            missing[key] = events
    assert missing == {}


def _url(key: str, rule, records: dict) -> str:
    from tests.api.test_access_matrix import url_for

    return url_for(key, rule, records)


async def test_lists_show_id_numbers_masked(client, world):
    sessions, records = world
    numbers = [r["id_number"] for r in await Person.select(Person.id_number).where(Person.household.area.code == "440106004001") if r["id_number"]]
    assert numbers
    applicant = await Person.select(Person.id_number).where(Person.household == uuid.UUID(records["household"])).first()
    unmasked = {}
    for key in sorted(LISTS):
        sessions.use(_reader(key))
        response = await call(client, key, MATRIX[key], records)
        assert response.status_code == 200, f"{key}: {response.status_code}"
        shown = [n for n in numbers if n in response.text]
        if shown:
            unmasked[key] = shown
    assert unmasked == {}
    sessions.use("supervisor")
    queue = await client.get("/api/review/queue", params={"status": "approved"})
    assert mask(applicant["id_number"]) in queue.text  # the list shows the number, masked
