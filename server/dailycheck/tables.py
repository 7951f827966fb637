"""Daily checks. One row per person and day (`day_key`); the id is generated on the device."""

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area
from server.households.tables import Person


class DailyCheck(Table, tablename="daily_check"):
    id = UUID(primary_key=True)
    person = ForeignKey(Person, index=True)
    # The person's community at the time of the check.
    area = ForeignKey(Area, index=True)
    check_date = Date(index=True)
    # "<person id>:<date>": unique, so a person has one check a day on either engine.
    day_key = Varchar(length=64, unique=True)
    living_status = Varchar(length=16)
    health = Varchar(length=16)
    needs = Varchar(length=100, default="")  # codes separated by ",": food, medicine, medical, other
    needs_other = Text(default="")
    service = Text(default="")
    contact_method = Varchar(length=16)
    all_well = Boolean(default=False)
    checked_at = Timestamptz()  # when the worker made the check (the device's clock)
    checked_by = ForeignKey(User, null=True)
    checks = Integer(default=1)  # how many checks of that day reached the server
    recorded_at = Timestamptz()  # server time of the last write
    client_id = Varchar(length=64, default="")
    handled_by = ForeignKey(User, null=True)
    handled_at = Timestamptz(null=True, default=None)
    handled_note = Text(default="")
    version = Integer(default=1)
