"""Property: whatever a device does — pushes, re-sends, lost answers, reordering, server restarts —
the server ends in the state of a reference model that applies each mutation exactly once, in order.

Two devices of the same worker edit the same cases, so stale edits merge or become conflicts.
Examples share the demo data and use fresh ids, so they do not disturb each other.
"""

from __future__ import annotations

import contextlib
import random
import uuid
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.app import create_app
from server.cases.tables import Case
from server.households.tables import Household
from sync.tables import SyncClient, SyncConflict
from tests.api.test_sync_support import household_args, mutation
from tests.support.auth import sign_in
from tests.support.clients import app_client

NOTES = ["", "已电话联系", "邻居反映属实", "需补充材料"]
PROCEDURES = ["normal", "emergency"]


@dataclass
class Model:
    """The reference: what the server must hold after applying each mutation once, in id order."""

    households: dict[str, dict] = field(default_factory=dict)
    cases: dict[str, dict] = field(default_factory=dict)
    conflicts: dict[str, int] = field(default_factory=dict)
    last: dict[str, int] = field(default_factory=dict)
    answers: dict[tuple[str, int], str] = field(default_factory=dict)

    def apply(self, name: str, args: dict, base: int | None) -> str:
        if name == "household.upsert":
            self.households[args["id"]] = {"address": args["address"], "version": 1}
            return "applied"
        if name == "case.create":
            if args["household_id"] not in self.households or args["id"] in self.cases:
                return "rejected"
            self.cases[args["id"]] = {"notes": "", "procedure": "normal", "version": 1, "stamps": {}}
            return "applied"
        case = self.cases.get(args["id"])
        if case is None:
            return "rejected"
        applied, conflicted = [], []
        for name_, value in args["changes"].items():
            if case[name_] == value:
                continue
            (applied if case["stamps"].get(name_, 1) <= (base or 0) else conflicted).append((name_, value))
        if applied:
            case["version"] += 1
            for name_, value in applied:
                case[name_] = value
                case["stamps"][name_] = case["version"]
        if conflicted:
            self.conflicts[args["id"]] = self.conflicts.get(args["id"], 0) + 1
            return "conflict"
        return "applied"

    def push(self, client_id: str, batch: list[dict]) -> list[tuple[int, str]]:
        """The statuses the server must answer, as (id, status or duplicate:original)."""
        last = self.last.get(client_id, 0)
        expected = []
        for m in batch:
            if m["id"] <= last:
                expected.append((m["id"], "duplicate:" + self.answers[(client_id, m["id"])]))
                continue
            if m["id"] != last + 1:
                expected.append((m["id"], "gap"))
                break
            status = self.apply(m["name"], m["args"], m["base_version"])
            self.answers[(client_id, m["id"])] = status
            expected.append((m["id"], status))
            last = m["id"]
        self.last[client_id] = last
        return expected


@dataclass
class Device:
    client_id: str
    outbox: list[dict] = field(default_factory=list)
    acked: int = 0

    def add(self, name: str, args: dict, base: int | None = None) -> None:
        self.outbox.append(mutation(len(self.outbox) + 1, name, args, base_version=base))


op = st.one_of(
    st.tuples(st.just("household"), st.integers(0, 1)),
    st.tuples(st.just("case"), st.integers(0, 1), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("update"), st.integers(0, 1), st.integers(0, 20), st.sampled_from(NOTES), st.sampled_from(PROCEDURES), st.booleans()),
    st.tuples(st.just("push"), st.integers(0, 1), st.integers(1, 4), st.booleans()),
    st.tuples(st.just("resend"), st.integers(0, 1)),
    st.tuples(st.just("reorder"), st.integers(0, 1), st.integers(0, 1000)),
    st.tuples(st.just("restart")),
)


class Server:
    """The app under test; `restart` throws the instance away and starts a new one."""

    def __init__(self) -> None:
        self.stack = contextlib.AsyncExitStack()
        self.http = None

    async def start(self) -> None:
        self.http = await self.stack.enter_async_context(app_client(create_app()))
        await sign_in(self.http, "worker")

    async def restart(self) -> None:
        await self.stack.aclose()
        self.stack = contextlib.AsyncExitStack()
        await self.start()


async def _check(model: Model, devices: list[Device]) -> None:
    households = {str(r["id"]): r for r in await Household.select(Household.id, Household.address, Household.version).where(Household.id.is_in([uuid.UUID(h) for h in model.households] or [uuid.uuid4()]))}
    assert {h: {"address": r["address"], "version": r["version"]} for h, r in households.items()} == model.households
    ids = [uuid.UUID(c) for c in model.cases] or [uuid.uuid4()]
    cases = await Case.select(Case.id, Case.notes, Case.procedure, Case.version).where(Case.id.is_in(ids))
    assert {str(r["id"]): (r["notes"], r["procedure"], r["version"]) for r in cases} == {
        c: (v["notes"], v["procedure"], v["version"]) for c, v in model.cases.items()
    }
    conflicts: dict[str, int] = {}
    for row in await SyncConflict.select(SyncConflict.record_id).where(SyncConflict.record_id.is_in([str(i) for i in ids])):
        conflicts[row["record_id"]] = conflicts.get(row["record_id"], 0) + 1
    assert conflicts == model.conflicts
    for device in devices:
        row = await SyncClient.select(SyncClient.last_mutation_id).where(SyncClient.client_id == device.client_id).first()
        assert (row["last_mutation_id"] if row else 0) == model.last.get(device.client_id, 0)


async def _send(server: Server, model: Model, device: Device, batch: list[dict], lose_answer: bool) -> None:
    if not batch:
        return
    expected = model.push(device.client_id, batch)
    response = await server.http.post("/api/sync/push", json={"client_id": device.client_id, "mutations": batch})
    assert response.status_code == 200, response.text
    body = response.json()
    got = [(r["id"], r["status"] if r["status"] != "duplicate" else "duplicate:" + r["original_status"]) for r in body["results"]]
    assert got == expected
    assert body["last_mutation_id"] == model.last[device.client_id]
    if not lose_answer:
        device.acked = max(device.acked, body["last_mutation_id"])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=st.lists(op, min_size=4, max_size=18))
async def test_push_sequences_match_the_reference_model(demo, ops):
    model = Model()
    devices = [Device(str(uuid.uuid4())), Device(str(uuid.uuid4()))]
    known_households: list[str] = []
    server = Server()
    await server.start()
    try:
        for step in ops:
            kind = step[0]
            if kind == "household":
                hid = str(uuid.uuid4())
                known_households.append(hid)
                devices[step[1]].add("household.upsert", household_args(hid, address=f"石牌东路{len(known_households)}号"))
            elif kind == "case":
                _, d, pick, real = step
                household = known_households[pick % len(known_households)] if real and known_households else str(uuid.uuid4())
                devices[d].add("case.create", {"id": str(uuid.uuid4()), "type": "dibao", "household_id": household})
            elif kind == "update":
                _, d, pick, notes, procedure, both = step
                created = [m["args"]["id"] for dev in devices for m in dev.outbox if m["name"] == "case.create"]
                if not created:
                    continue
                case_id = created[pick % len(created)]
                base = model.cases[case_id]["version"] if case_id in model.cases else None
                changes = {"notes": notes, "procedure": procedure} if both else {"notes": notes}
                devices[d].add("case.update", {"id": case_id, "changes": changes}, base)
            elif kind == "push":
                _, d, n, lose = step
                device = devices[d]
                await _send(server, model, device, device.outbox[device.acked : device.acked + n], lose)
            elif kind == "resend":
                device = devices[step[1]]
                await _send(server, model, device, device.outbox[: device.acked + 1], False)
            elif kind == "reorder":
                _, d, seed = step
                device = devices[d]
                batch = device.outbox[device.acked :]
                random.Random(seed).shuffle(batch)
                await _send(server, model, device, batch, False)
            else:
                await server.restart()
        # In the end every device re-sends its whole outbox, as after a long time offline.
        for device in devices:
            await _send(server, model, device, device.outbox, False)
        assert all(model.last.get(d.client_id, 0) == len(d.outbox) for d in devices)
        await _check(model, devices)
    finally:
        await server.stack.aclose()
