"""The finances of a case as one versioned document, and the revisions that changed it.

The document is JSON text (the same on both engines) with sections: incomes, assets,
expenses, circumstances, tekun, temporary. Amounts inside are decimal strings. Each revision
names the sections it replaced, so that a stale edit can be merged when it touched other
sections and refused when it touched the same ones.
"""

from piccolo.columns import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.tables import Case


class CaseFinances(Table, tablename="case_finances"):
    case = ForeignKey(Case, unique=True, index=True)
    area = ForeignKey(Area, index=True)  # the case's community, for scoped queries
    data = Text(default="{}")
    version = Integer(default=1)
    updated_by = ForeignKey(User, null=True)
    updated_at = Timestamptz()


class FinanceRevision(Table, tablename="case_finances_revision"):
    case = ForeignKey(Case, index=True)
    version = Integer()
    sections = Varchar(length=200)  # comma-separated section names
    data = Text(default="{}")  # the new values of those sections
    actor = ForeignKey(User, null=True)
    client_id = Varchar(length=64, default="")
    at = Timestamptz()
