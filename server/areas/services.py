"""Reading and building the area tree."""

from __future__ import annotations

from server.areas.tables import LEVELS, Area
from server.errors import Invalid
from server.i18n import N_


async def create_area(code: str, name: str, level: str, parent_code: str | None = None) -> dict:
    """Add an area under its parent; the level must be one below the parent's."""
    if level not in LEVELS:
        raise Invalid(N_("未知的区域级别: {level}", level=level))
    parent = None
    path = ""
    if parent_code:
        parent = await Area.select().where(Area.code == parent_code).first()
        if parent is None:
            raise Invalid(N_("找不到上级区域 {area}", area=parent_code))
        if LEVELS.index(level) != LEVELS.index(parent["level"]) + 1:
            raise Invalid(N_("{level} 不能直接位于 {parent} 之下", level=level, parent=parent["level"]))
        path = parent["path"]
    elif level != "city":
        raise Invalid(N_("只有市级区域可以没有上级"))
    row = Area(code=code, name=name, level=level, parent=parent["id"] if parent else None, path=f"{path}{code}/")
    await row.save()
    return (await Area.select().where(Area.id == row.id).first())  # type: ignore[return-value]


async def list_areas() -> list[dict]:
    """Every area as {code, name, level, parent}, parents before children."""
    rows = await Area.select(Area.code, Area.name, Area.level, Area.parent.code.as_alias("parent"), Area.path).order_by(Area.path)
    return [{"code": r["code"], "name": r["name"], "level": r["level"], "parent": r["parent"]} for r in rows]


def render_tree(areas: list[dict]) -> str:
    """The tree as indented text, one area a line."""
    depth = {"city": 0, "district": 1, "street": 2, "community": 3}
    return "\n".join(f"{'  ' * depth[a['level']]}{a['code']}  {a['name']}" for a in areas)
