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


def test_docs_describe_every_result_status():
    text = DOC.read_text(encoding="utf-8")
    for status in ("applied", "duplicate", "conflict", "rejected", "retry", "gap"):
        assert f"| `{status}` |" in text


def test_every_registered_mutation_has_a_heading_in_the_docs():
    """A third party can write a client only if every mutation the server accepts is documented:
    each registered name stands in backticks in a heading of docs/sync.md or docs/casework.md."""
    from server.sync_api.discovery import load_mutation_modules

    load_mutation_modules()
    headings = "\n".join(
        line for path in (DOC, DOC.with_name("casework.md")) for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    )
    # "test.*" mutations are registered by test modules of the same run (tests/api/test_sync_push.py).
    served = [name for name in registered_names() if not name.startswith("test.")]
    undocumented = [name for name in served if f"`{name}`" not in headings]
    assert len(served) >= 15
    assert undocumented == []
