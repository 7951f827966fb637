"""Cases. The id is a UUID generated on the device that opened the case."""

from piccolo.columns import UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area
from server.households.tables import Household


class Case(Table, tablename="assistance_case"):
    id = UUID(primary_key=True)
    household = ForeignKey(Household, index=True)
    # The household's community, kept with the case so that scoped queues need no join.
    area = ForeignKey(Area, index=True)
    type = Varchar(length=16, index=True)
    status = Varchar(length=16, default="draft", index=True)
    procedure = Varchar(length=16, default="normal")
    notes = Text(default="")
    opened_by = ForeignKey(User, null=True)
    opened_at = Timestamptz()
    # When the street received the application (its first submission for review): the statutory
    # deadlines in working days count from here, not from when a device opened the draft.
    accepted_at = Timestamptz(null=True, default=None)
    assigned_to = ForeignKey(User, null=True)
    version = Integer(default=1)
    updated_at = Timestamptz()
