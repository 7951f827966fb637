"""Organisations that take referrals (data), referrals and each step of their way."""

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.tables import Case


class Organisation(Table, tablename="organisation"):
    name = Varchar(length=200)
    kind = Varchar(length=16)  # department, committee, charity
    area = ForeignKey(Area, index=True)  # the area it serves (and everything below)
    contact_name = Varchar(length=100, default="")
    contact_phone = Varchar(length=32, default="")
    services = Text(default="")
    due_days = Integer(default=10)  # days within which a referral should be concluded
    active = Boolean(default=True)
    version = Integer(default=1)


class Referral(Table, tablename="referral"):
    id = UUID(primary_key=True)  # generated on the device
    case = ForeignKey(Case, index=True)
    area = ForeignKey(Area, index=True)
    organisation = ForeignKey(Organisation, index=True)
    reason = Text()
    contact_name = Varchar(length=100, default="")
    contact_phone = Varchar(length=32, default="")
    status = Varchar(length=16, default="referred", index=True)  # referred, received, done, returned
    referred_on = Date()
    due_on = Date()
    status_on = Date()
    version = Integer(default=1)
    created_by = ForeignKey(User, null=True)
    created_at = Timestamptz()


class ReferralEvent(Table, tablename="referral_event"):
    referral = ForeignKey(Referral, index=True)
    status = Varchar(length=16)
    happened_on = Date()
    note = Text(default="")
    actor = ForeignKey(User, null=True)
    at = Timestamptz()
