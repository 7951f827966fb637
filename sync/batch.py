"""What a push batch keeps in memory between its mutations: staged rows and remembered facts.

A mutation may have a *batched form* beside its plain handler (`registry.register_batched`).
The batched form writes nothing itself: it validates, looks up what it needs in facts the batch
loaded once for all of its mutations (say, every household the batch names), and stages the
rows it would insert. The engine inserts the staged rows of the whole batch at its end, one
statement per table, in the transaction that also moves the client's `last_mutation_id`. A
batched form that fails has written nothing, so it needs no savepoint: its staged rows are
dropped.

Facts are the batch's view of the database plus the rows staged so far. Whenever that view
could be stale (before a plain handler runs, after a batched form failed half-way) the engine
`settle()`s the batch: the staged rows are inserted and every fact is forgotten, to be loaded
again by the next batched form that needs it.

If inserting the staged rows fails (a record another device created meanwhile, a bug), the
whole transaction is rolled back and the engine applies the batch again with plain handlers
only, each under its own savepoint (`BatchFailed`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.table import Table

from sync import sql


class BatchFailed(Exception):
    """The batched forms could not finish; the batch is applied again one mutation at a time."""


class Batch:
    def __init__(self, db: Any, mutations: Sequence[Any]) -> None:
        self.db = db
        self.mutations = mutations  # every mutation of the push (objects with .name and .args)
        self.facts: dict[str, Any] = {}  # loaded by batched forms; forgotten when it may be stale
        self.cache: dict = {}  # lasts the whole batch: lookups no mutation changes (e.g. areas)
        self._staged: list[tuple[str, tuple[str, ...], tuple]] = []

    def args_of(self, name: str) -> list[dict]:
        """The arguments of this batch's mutations called `name`, for loading facts in one go."""
        return [m.args for m in self.mutations if m.name == name and isinstance(m.args, dict)]

    def stage(self, table: type[Table], row: dict[str, Any]) -> None:
        """Insert `row` (database column names) into `table` when the batch is written."""
        self._staged.append((table._meta.tablename, tuple(row), tuple(row.values())))

    def mark(self) -> int:
        return len(self._staged)

    def drop_since(self, mark: int) -> None:
        """Forget the rows staged after `mark` (a batched form failed)."""
        del self._staged[mark:]

    async def write(self) -> None:
        """Insert the staged rows, a statement per table and column list, in the order each first appeared.

        Parents are staged before their children (a household before its members and cases),
        so this order satisfies foreign keys.
        """
        if not self._staged:
            return
        groups: dict[tuple[str, tuple[str, ...]], list[tuple]] = {}
        for table, columns, values in self._staged:
            groups.setdefault((table, columns), []).append(values)
        self._staged = []
        connection = sql.in_transaction(self.db)
        try:
            for (table, columns), rows in groups.items():
                await connection.insert_rows(table, columns, rows)
        except Exception as exc:
            raise BatchFailed(f"inserting the staged rows of {table} failed: {exc}") from exc

    async def settle(self) -> None:
        """Write what is staged and forget every fact (they are reloaded when needed)."""
        await self.write()
        self.facts.clear()
