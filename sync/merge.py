"""Field-level merge of a device's edit into a versioned record.

A record carries `version`; every field remembers the version at which it last changed (a
stamp; a field without one last changed at creation, version 1). A device's edit names the
version it was based on. A changed field whose stamp is newer than that base overlaps a server
edit the device did not see: the server keeps its value and the device's value becomes part of
a conflict. Other changed fields apply. A field the device sets to the value the server already
has is no change at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sync.tables import SyncFieldStamp


@dataclass
class Merge:
    apply: dict[str, Any] = field(default_factory=dict)
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)  # {field: {server, device}}


async def stamps_of(kind: str, record_id: str) -> dict[str, int]:
    rows = await SyncFieldStamp.select(SyncFieldStamp.field, SyncFieldStamp.version).where(
        (SyncFieldStamp.kind == kind) & (SyncFieldStamp.record_id == str(record_id))
    )
    return {row["field"]: row["version"] for row in rows}


def merge_fields(current: dict[str, Any], stamps: dict[str, int], base_version: int | None, changes: dict[str, Any]) -> Merge:
    """Pure merge: which changes apply and which conflict (see the module docstring)."""
    base = base_version or 0
    result = Merge()
    for name, value in changes.items():
        if current.get(name) == value:
            continue
        if stamps.get(name, 1) <= base:
            result.apply[name] = value
        else:
            result.conflicts[name] = {"server": current.get(name), "device": value}
    return result


async def merge(kind: str, record_id: str, *, current: dict[str, Any], version: int, base_version: int | None, changes: dict[str, Any]) -> Merge:
    """Merge `changes` based on `base_version` into a record now at `version` with values `current`."""
    if base_version is not None and base_version >= version:
        stamps: dict[str, int] = {}  # the device saw the latest version: nothing can overlap
    else:
        stamps = await stamps_of(kind, record_id)
    return merge_fields(current, stamps, base_version, changes)


async def stamp(kind: str, record_id: str, fields: list[str] | tuple[str, ...], version: int) -> None:
    """Remember that `fields` changed at `version` (call with the record's write)."""
    if not fields:
        return
    record_id = str(record_id)
    await SyncFieldStamp.delete().where(
        (SyncFieldStamp.kind == kind) & (SyncFieldStamp.record_id == record_id) & SyncFieldStamp.field.is_in(list(fields))
    )
    await SyncFieldStamp.insert(*(SyncFieldStamp(kind=kind, record_id=record_id, field=name, version=version) for name in fields))
