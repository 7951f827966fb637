"""The watch roster page for supervisors: the roster, proposals from the households' data,
adding (one person, or every proposal) and removing with a reason."""

from __future__ import annotations

from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server.accounts.guards import requires_supervisor
from server.areas.scope import areas_in_scope
from server.clock import today
from server.households.tables import Person
from server.watch import services


def back(area: str | None, **extra) -> Redirect:
    query = urlencode({k: v for k, v in {"area": area or "", **extra}.items() if v})
    return Redirect(f"/watch/{'?' + query if query else ''}", status_code=303)


async def form_of(request: Request):
    form = await request.form()
    return form, (form.get("area") or None)


class WatchController(Controller):
    path = "/watch"
    guards = [requires_supervisor]

    @get("/", name="watch_roster")
    async def roster(self, request: Request, area: FromQuery[str | None] = None, done: FromQuery[str | None] = None) -> Template:
        """The roster of the user's scope or of one area in it, with the proposals beside it."""
        user = request.user
        chosen = await services.community_for(user, area)
        path = chosen["path"] if chosen else None
        people = []
        if chosen and chosen["level"] == "community":
            people = await Person.select(Person.id, Person.name, Person.birth_date, Person.household.address.as_alias("address")).where(
                Person.household.area.path.like(f"{path}%")
            ).order_by(Person.name)
        context = {
            "user": user,
            "chosen": chosen,
            "areas": await areas_in_scope(user, ("street", "community")),
            "entries": await services.roster(user, path),
            "proposals": await services.proposals(user, path),
            "people": people,
            "REASONS": services.REASONS,
            "today": today(),
            "done": done,
        }
        return Template("watch/roster.html", context=context)

    @post("/add", name="watch_add", status_code=303)
    async def add(self, request: Request) -> Redirect:
        """Put one person on the roster with the reasons chosen."""
        form, area = await form_of(request)
        entry = await services.add(request.user, form.get("person_id"), form.getall("reasons", []), form.get("note") or "")
        return back(area, done=f"added:{entry['name']}")

    @post("/add-proposed", name="watch_add_proposed", status_code=303)
    async def add_proposed(self, request: Request) -> Redirect:
        """Put every proposed person of the area shown on the roster."""
        _, area = await form_of(request)
        chosen = await services.community_for(request.user, area)
        count = await services.add_proposed(request.user, chosen["path"] if chosen else None)
        return back(area, done=f"added_many:{count}")

    @post("/{entry_id:uuid}/remove", name="watch_remove", status_code=303)
    async def remove(self, request: Request, entry_id: FromPath[UUID]) -> Redirect:
        """Take a person off the roster, with the reason."""
        form, area = await form_of(request)
        entry = await services.remove(request.user, entry_id, form.get("reason") or "")
        return back(area, done=f"removed:{entry['name']}")
