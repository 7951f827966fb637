"""The working-day calendar, emergency periods and per-district procedure settings: all data."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area


class CalendarDay(Table, tablename="calendar_day"):
    """A day that is not what its weekday says: a holiday (workday=False) or a make-up workday."""

    day = Date(unique=True, index=True)
    workday = Boolean(default=False)
    name = Varchar(length=100, default="")


class EmergencyPeriod(Table, tablename="emergency_period"):
    """The simplified procedure, declared by a district officer for their district."""

    area = ForeignKey(Area, index=True)  # a district
    starts_on = Date()
    ends_on = Date(null=True, default=None)  # None: until ended
    spot_check_percent = Integer(default=30)  # the district spot-checks this share of street approvals
    tekun_spot_check_percent = Integer(default=30)  # never below 30 for 特困
    reason = Text(default="")
    declared_by = ForeignKey(User, null=True)
    declared_at = Timestamptz()
    ended_by = ForeignKey(User, null=True, default=None)
    ended_at = Timestamptz(null=True, default=None)


class DistrictProcedure(Table, tablename="district_procedure"):
    """Per district: whether the decision is delegated to the streets (then 20 working days overall)."""

    area = ForeignKey(Area, unique=True, index=True)
    decision_delegated = Boolean(default=False)
    updated_by = ForeignKey(User, null=True)
    updated_at = Timestamptz()
