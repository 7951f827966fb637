"""Listing every record of a casework kind for the sync feed's backfill (demo data, imports)."""

from __future__ import annotations

from piccolo.columns import Column
from piccolo.table import Table


def lister(table: type[Table], id_column: Column):
    """`list_all` for `register_kind`: (id, area path) of every row of `table`."""

    async def list_all() -> list[tuple[str, str]]:
        rows = await table.select(id_column.as_alias("record_id"), table.area.path.as_alias("area_path"))  # type: ignore[attr-defined]
        return [(str(row["record_id"]), row["area_path"]) for row in rows]

    return list_all
