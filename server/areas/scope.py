"""The one scoping function: what a user may read and write, from their role and home area.

A grid worker's home area is a community, a supervisor's a street, a district officer's a
district, an admin's the city; each sees everything at or below their home area. An id outside
that scope is answered as if it did not exist (404), never with a hint that it does.
"""

from __future__ import annotations

from typing import TypeVar

from piccolo.columns import ForeignKey
from piccolo.columns.combination import Where
from piccolo.table import Table

from server.accounts.current import CurrentUser
from server.areas.tables import Area
from server.errors import NotFound
from server.i18n import N_

T = TypeVar("T", bound=Table)


def in_scope(user: CurrentUser, area_column: ForeignKey) -> Where:
    """A condition for a query: the row's area (through `area_column`) lies inside the user's area."""
    return area_column.path.like(f"{user.area_path}%")  # type: ignore[attr-defined]


def area_in_scope(user: CurrentUser, area_path: str) -> bool:
    return area_path.startswith(user.area_path)


async def areas_in_scope(user: CurrentUser, levels: tuple[str, ...] | None = None) -> list[dict]:
    """The areas at or below the user's home area (optionally of some levels only), tree order."""
    query = Area.select(Area.id, Area.code, Area.name, Area.level, Area.path).where(Area.path.like(f"{user.area_path}%"))
    if levels:
        query = query.where(Area.level.is_in(list(levels)))
    return await query.order_by(Area.path)


async def area_for_write(user: CurrentUser, code: str) -> dict:
    """The community an item may be written to, by code; NotFound when outside the user's scope."""
    area = await Area.select().where((Area.code == code) & (Area.path.like(f"{user.area_path}%"))).first()
    if area is None:
        raise NotFound(N_("找不到该社区，或不在您的管辖范围内。"), field="area")
    return area


async def find_in_scope(user: CurrentUser, table: type[T], pk, area_column: ForeignKey, *columns) -> dict | None:
    """One row by primary key (every column, or `columns`), or None when it is absent or outside the user's scope."""
    return await table.select(*columns).where((table._meta.primary_key == pk) & in_scope(user, area_column)).first()


async def get_in_scope(user: CurrentUser, table: type[T], pk, area_column: ForeignKey, *columns) -> dict:
    """One row by primary key (every column, or `columns`), or NotFound when it is absent or outside the user's scope."""
    row = await find_in_scope(user, table, pk, area_column, *columns)
    if row is None:
        raise NotFound()
    return row
