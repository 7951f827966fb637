"""docs/sync.md: the complete push body it gives third-party clients is accepted as it is."""

from __future__ import annotations

import json
import re
from pathlib import Path

from server.cases.tables import Case
from sync.registry import registered_names
from tests.support.auth import sign_in

DOC = Path(__file__).resolve().parents[2] / "docs" / "sync.md"


def _example() -> dict:
    text = DOC.read_text(encoding="utf-8")
    match = re.search(r"<!-- push-example -->\s*```json\n(.*?)\n```", text, re.S)
    assert match, "docs/sync.md lost its marked push example"
    return json.loads(match.group(1))


async def test_docs_push_example_is_accepted_as_it_is(client, demo):
    await sign_in(client, "worker")
    body = _example()
    response = await client.post("/api/sync/push", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert [r["status"] for r in answer["results"]] == ["applied"] * len(body["mutations"])
    assert answer["last_mutation_id"] == len(body["mutations"])
    case = await Case.select(Case.notes, Case.version).where(Case.id == body["mutations"][1]["args"]["id"]).first()
    assert case["version"] == 2 and "邻居电话核实属实" in case["notes"]


def test_docs_describe_every_sync_mutation_of_this_package():
    import server.cases.mutations  # noqa: F401
    import server.households.mutations  # noqa: F401

    text = DOC.read_text(encoding="utf-8")
    for name in ("household.upsert", "case.create", "case.update"):
        assert name in registered_names()
        assert f"#### `{name}`" in text
    for status in ("applied", "duplicate", "conflict", "rejected", "retry", "gap"):
        assert f"| `{status}` |" in text
