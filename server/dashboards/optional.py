"""Figures from domains that may not be installed yet: open referrals and open deferred paperwork.

Each answers None when its domain is not there, and the dashboard then leaves the section out
rather than showing a made-up zero.

- Referrals: `server.referrals.tables.Referral` (area, status, due_on); open = referred/received.
- Deferred paperwork (issue 8): `server.paperwork.services.count_open(area_path) -> int` when the
  package offers it; else a table in `server.paperwork.tables` with `area` and `status` columns,
  counted as open unless its status says it is finished.
"""

from __future__ import annotations

import importlib
from datetime import date

from piccolo.table import Table

PAPERWORK_FINISHED = ("collected", "signed", "done", "closed", "waived", "cancelled")


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


async def open_referrals(area_path: str, day: date) -> dict | None:
    """{"open": n, "overdue": n} inside the area, or None without the referrals domain."""
    tables = _module("server.referrals.tables")
    if tables is None or not hasattr(tables, "Referral"):
        return None
    referral = tables.Referral
    rows = await referral.select(referral.due_on).where(
        referral.area.path.like(f"{area_path}%") & referral.status.is_in(["referred", "received"])
    )
    return {"open": len(rows), "overdue": sum(1 for r in rows if r["due_on"] < day)}


async def open_paperwork(area_path: str) -> int | None:
    """Open deferred-paperwork obligations inside the area, or None without that domain."""
    services = _module("server.paperwork.services")
    if services is not None and hasattr(services, "count_open"):
        return await services.count_open(area_path)
    tables = _module("server.paperwork.tables")
    if tables is None:
        return None
    for value in vars(tables).values():
        if isinstance(value, type) and issubclass(value, Table) and value is not Table and value.__module__ == tables.__name__:
            columns = {c._meta.name for c in value._meta.columns}
            if {"area", "status"} <= columns:
                return await value.count().where(
                    value.area.path.like(f"{area_path}%") & value.status.not_in(list(PAPERWORK_FINISHED))  # type: ignore[attr-defined]
                )
    return None
