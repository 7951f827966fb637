"""The watch roster. One active entry per person; removed entries are kept with their reason.

An entry has no area of its own: it is scoped through the person's household, so it follows
the household when the household moves to another community."""

from piccolo.columns import UUID, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.households.tables import Person


class WatchEntry(Table, tablename="watch_entry"):
    id = UUID(primary_key=True)
    person = ForeignKey(Person, index=True)
    reasons = Varchar(length=200)  # codes separated by ",": tekun, elderly_alone, quarantine, serious_illness, other
    note = Text(default="")
    active = Boolean(default=True, index=True)
    added_by = ForeignKey(User, null=True)
    added_at = Timestamptz()
    removed_by = ForeignKey(User, null=True)
    removed_at = Timestamptz(null=True, default=None)
    removal_reason = Text(default="")
    version = Integer(default=1)
    updated_at = Timestamptz()
