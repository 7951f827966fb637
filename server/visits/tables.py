"""Visits. The id is a UUID generated on the device that recorded the visit."""

from piccolo.columns import UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.tables import Case


class Visit(Table, tablename="visit"):
    id = UUID(primary_key=True)
    case = ForeignKey(Case, index=True)
    # The case's community, kept with the visit so that scoped queries need no join.
    area = ForeignKey(Area, index=True)
    mode = Varchar(length=32)
    investigator_1 = Varchar(length=100)
    investigator_2 = Varchar(length=100)
    visited_at = Timestamptz()
    members_situation = Text(default="")
    notes = Text(default="")
    recorded_by = ForeignKey(User, null=True)
    recorded_at = Timestamptz()  # server time
    client_id = Varchar(length=64, default="")  # the device that recorded it
    device_created_at = Timestamptz(null=True, default=None)  # the device's clock
    version = Integer(default=1)
