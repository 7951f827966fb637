"""Schemathesis against the app's own OpenAPI schema: every /api operation, signed in as a grid
worker and as a supervisor (session cookie and CSRF header), with data that fits the schema and
data that does not. No answer is a server error (5xx), and every answer conforms to the schema.

The app runs in-process; the examples per operation are bounded so the run stays short.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from server.accounts.tables import User
from server.cases.tables import Case
from server.declarations.tables import Declaration
from server.eligibility.tables import EligibilitySnapshot
from server.evidence.tables import Evidence
from server.households.tables import Household
from server.paperwork.tables import Obligation
from server.procedures.tables import EmergencyPeriod
from server.referrals.tables import Organisation, Referral
from server.standards.tables import Standard
from server.uploads.tables import Upload
from server.verification.tables import VerificationRequest
from sync.tables import SyncConflict
from tests.support.auth import sign_in

# tus bodies are bytes (PATCH and creation-with-upload).
schemathesis.serializer.alias("application/offset+octet-stream", "application/octet-stream")

EXAMPLES_PER_OPERATION = 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def api_schema(app) -> schemathesis.schemas.BaseSchema:
    """The app's OpenAPI document, limited to /api."""
    return schemathesis.openapi.from_dict(app.openapi_schema.to_schema()).include(path_regex="^/api/")


_drawn: dict[tuple[str, GenerationMode], list] = {}


def draw_cases(operation, mode: GenerationMode) -> list:
    """A bounded number of generated requests for one operation. Generation is derandomized, so
    both users get the same requests: they are drawn once a run (half the test's time)."""
    key = (operation.label, mode)
    if key not in _drawn:
        _drawn[key] = _generate(operation, mode)
    return _drawn[key]


def _generate(operation, mode: GenerationMode) -> list:
    cases: list = []

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        database=None,
        deadline=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def collect(case):
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:  # e.g. no request can break a schema of one free-form string path parameter
        assert mode is GenerationMode.NEGATIVE
    return cases


async def send(client, case):
    """Send a case through the in-process client, as the requests transport would have sent it."""
    kwargs = case.as_transport_kwargs(base_url="http://localhost:8000")
    headers = {**client.headers, **(kwargs.get("headers") or {})}
    body = {"json": kwargs["json"]} if "json" in kwargs else {"content": kwargs.get("data")}
    if body.get("content") is None and "json" not in body:
        body = {}
    response = await client.request(
        kwargs["method"], kwargs["url"], params=kwargs.get("params"), headers=headers, **body
    )
    return response


ID_TABLES = {
    "case_id": Case,
    "household_id": Household,
    "declaration_id": Declaration,
    "referral_id": Referral,
    "obligation_id": Obligation,
    "period_id": EmergencyPeriod,
    "standard_id": Standard,
    "organisation_id": Organisation,
    "snapshot_id": EligibilitySnapshot,
    "evidence_id": Evidence,
    "request_id": VerificationRequest,
    "upload_id": Upload,
    "conflict_id": SyncConflict,
}


async def known_ids() -> dict[str, str]:
    """An existing record per path parameter, in the demo grid worker's community (inside the demo
    supervisor's street) where the record has an area, so that generated bodies also reach the
    handlers behind the lookups."""
    community = (await User.select(User.area).where(User.username == "worker").first())["area"]
    ids: dict[str, str] = {}
    for name, table in ID_TABLES.items():
        row = None
        if hasattr(table, "area"):
            row = await table.select(table.id).where(table.area == community).first()
        row = row or await table.select(table.id).first()
        if row is not None:
            ids[name] = str(row["id"])
    return ids


async def exercise(client, case) -> Exception | None:
    """Send one case; the check that failed, if any."""
    response = await send(client, case)
    try:
        case.validate_response(response, checks=CHECKS)
    except Exception as failure:  # noqa: BLE001 - every failure is collected and reported
        return failure
    return None


def operations(app):
    for result in api_schema(app).get_all_operations():
        yield result.ok()


@pytest.mark.parametrize("username", ["worker", "supervisor"])
async def test_every_api_operation_answers_without_server_error_and_as_documented(client, demo, app, username):
    await sign_in(client, username, kind="field" if username == "worker" else "desktop")
    real_ids = await known_ids()
    failures: list[str] = []
    exercised: list[str] = []
    for operation in operations(app):
        exercised.append(operation.label)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            cases = draw_cases(operation, mode)
            assert cases or mode is GenerationMode.NEGATIVE, f"no request generated for {operation.label}"
            for case in cases:
                failure = await exercise(client, case)
                if failure is None and case.path_parameters and set(case.path_parameters) <= set(real_ids):
                    generated = case.path_parameters  # the drawn case is sent again for the other user
                    case.path_parameters = {name: real_ids[name] for name in case.path_parameters}
                    try:
                        failure = await exercise(client, case)
                    finally:
                        case.path_parameters = generated
                if failure is not None:
                    failures.append(f"{operation.label} [{mode.value}]: {failure}")
                    break
    assert len(exercised) >= 40 and "POST /api/sync/push" in exercised and "POST /api/uploads" in exercised
    assert not failures, "\n\n".join(failures)
