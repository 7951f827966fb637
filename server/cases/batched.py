"""The batched form of case.create: the case is staged with the push batch (sync/batch.py).

The household comes from the batch's view (households.batched), which also holds the
households created earlier in the same batch; the case ids the batch names are checked
against the database in one query.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from server.accounts.current import CurrentUser
from server.areas.scope import area_in_scope
from server.cases.services import KIND, case_id_taken, clean_new_case, household_not_found, new_case_row
from server.cases.tables import Case
from server.households.batched import HOUSEHOLD_ARGUMENTS, household_in_batch
from sync import feed, sql
from sync.batch import Batch

HOUSEHOLD_ARGUMENTS["case.create"] = "household_id"

_FACT = "case ids taken"


def _named_case_ids(batch: Batch) -> list[uuid.UUID]:
    ids = set()
    for args in batch.args_of("case.create"):
        try:
            ids.add(uuid.UUID(str(args.get("id"))))
        except ValueError:
            continue
    return sorted(ids)


async def _taken(batch: Batch) -> set[uuid.UUID]:
    """The ids among those the batch's case.create name that are cases already (or staged)."""
    taken = batch.facts.get(_FACT)
    if taken is None:
        ids = _named_case_ids(batch)
        connection = sql.in_transaction(Case._meta.db)
        taken = set()
        for chunk in sql.chunks(ids):
            rows = await connection.fetch(f"SELECT id FROM assistance_case WHERE id IN ({sql.placeholders(len(chunk))})", *chunk)
            taken.update(row["id"] if isinstance(row["id"], uuid.UUID) else uuid.UUID(str(row["id"])) for row in rows)
        batch.facts[_FACT] = taken
    return taken


async def stage_new_case(user: CurrentUser, batch: Batch, args: dict, *, opened_at: datetime | None, at: datetime) -> dict:
    """The same checks and row as services.create_case, staged; answers as create_case."""
    values = clean_new_case(args)
    household = await household_in_batch(batch, values["household_id"])
    if household is None or not area_in_scope(user, household["area_path"]):
        raise household_not_found()
    taken = await _taken(batch)
    if values["id"] in taken:
        raise case_id_taken()
    batch.stage(Case, new_case_row(user, values, household["area_id"], opened_at=opened_at, at=at))
    await feed.touch(KIND, str(values["id"]), household["area_path"], new=True)
    taken.add(values["id"])
    return {"id": str(values["id"]), "version": 1}
