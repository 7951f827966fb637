"""The daily check on the phone (the roster, one screen per person), and the supervisor's
"handled" action on needs a check flagged."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from server.accounts.guards import requires_supervisor, requires_user
from server.clock import today
from server.dailycheck import schemas
from server.dailycheck.services import mark_handled, phone_roster
from server.field.labels import field_labels
from server.i18n import gettext
from server.watch.services import REASONS


def labels() -> dict:
    """The answers' labels for the page's JavaScript, which renders what the device holds."""
    shown = {name: {k: gettext(v) for k, v in table.items()} for name, table in
             (("living", schemas.LIVING), ("health", schemas.HEALTH), ("needs", schemas.NEEDS), ("contact", schemas.CONTACT), ("reasons", REASONS))}
    return shown | {"checked": gettext("今日已报"), "pending": gettext("待同步"), "unchecked": gettext("今日未报"), "needs_flag": gettext("有需求"),
                     "rejected": gettext("被退回"), "age": gettext("%(age)s岁")}


class DailyFieldController(Controller):
    path = "/field/daily"
    guards = [requires_user]

    @get("/", name="daily_roster")
    async def roster(self, request: Request) -> Template:
        """The worker's roster for today: people not yet checked first, highlighted."""
        people = await phone_roster(request.user)
        context = {**field_labels(), "user": request.user, "people": people, "today": today(), "LABELS": labels(), "S": schemas, "REASONS": REASONS}
        return Template("watch/daily.html", context=context)

    @get("/check", name="daily_check")
    async def check(self, request: Request, person: FromQuery[str] = "") -> Template:
        """One screen per person: all well in one tap, or the details. The person is `?person=`."""
        people = {p["person_id"]: p for p in await phone_roster(request.user)}
        context = {**field_labels(), "user": request.user, "person": people.get(person), "today": today(), "LABELS": labels(), "S": schemas, "REASONS": REASONS}
        return Template("watch/daily_check.html", context=context)


class HandledController(Controller):
    path = "/dailycheck"
    guards = [requires_supervisor]

    @post("/{check_id:uuid}/handled", name="daily_handled", status_code=303)
    async def handled(self, request: Request, check_id: FromPath[UUID]) -> Redirect:
        """Record that someone acted on the needs of a check; back to the page it came from."""
        form = await request.form()
        await mark_handled(request.user, check_id, form.get("note") or "")
        target = form.get("next") or "/dashboards/"
        return Redirect(target if target.startswith("/") and not target.startswith("//") else "/dashboards/", status_code=303)
