"""Stored results: a computation kept with everything it was computed from."""

from piccolo.columns import UUID, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.tables import Case


class EligibilitySnapshot(Table, tablename="eligibility_snapshot"):
    id = UUID(primary_key=True)
    case = ForeignKey(Case, index=True)
    area = ForeignKey(Area, index=True)
    case_type = Varchar(length=16)
    outcome = Varchar(length=16)  # eligible, ineligible, incomplete, not_applicable
    amount = Varchar(length=20, null=True, default=None)  # yuan per month, decimal string
    rule_versions = Text(default="[]")  # JSON list of strings
    result = Text(default="{}")  # JSON: the whole computation, line by line
    inputs = Text(default="{}")  # JSON: finances, members and standard as used
    finances_version = Integer(default=0)
    case_version = Integer(default=0)
    purpose = Varchar(length=32, default="")  # e.g. "decision"
    created_by = ForeignKey(User, null=True)
    created_at = Timestamptz()
