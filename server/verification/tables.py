"""A verification request per case, answered by an adapter (by default a supervisor, by hand)."""

from piccolo.columns import UUID, Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.tables import Case


class VerificationRequest(Table, tablename="verification_request"):
    id = UUID(primary_key=True)
    case = ForeignKey(Case, index=True)
    area = ForeignKey(Area, index=True)
    adapter = Varchar(length=32, default="manual")
    external_ref = Varchar(length=100, default="")  # the id a bureau's system gave the request
    status = Varchar(length=16, default="requested", index=True)  # requested, completed
    result = Varchar(length=16, null=True, default=None)  # consistent, inconsistent, partial
    result_on = Date(null=True, default=None)
    summary = Text(default="")
    document_ref = Varchar(length=100, default="")  # evidence id or SHA-256 of the result document
    requested_by = ForeignKey(User, null=True)
    requested_at = Timestamptz()
    completed_by = ForeignKey(User, null=True)
    completed_at = Timestamptz(null=True, default=None)
