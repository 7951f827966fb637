"""A self-declaration: what the recipient agreed to, the evidence of it, the extension period and
the re-verification owed once the emergency is over."""

from piccolo.columns import UUID, Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area
from server.cases.tables import Case


class Declaration(Table, tablename="self_declaration"):
    id = UUID(primary_key=True)  # generated on the device
    case = ForeignKey(Case, index=True)
    area = ForeignKey(Area, index=True)
    content = Text()  # the 承诺书 text the person agreed to
    agreed = Boolean(default=False)
    declared_at = Timestamptz()
    evidence_kind = Varchar(length=16)  # audio, video, photo
    evidence_ref = Varchar(length=100)  # evidence id or SHA-256 of the file
    extension_months = Integer()  # from the standard in force when recorded
    standard_version = Varchar(length=120, default="")
    emergency_ends_on = Date(null=True, default=None)
    extended_until = Date(null=True, default=None)
    reverification = Varchar(length=16, default="owed")  # owed, done
    reverification_due = Date(null=True, default=None)
    status = Varchar(length=16, default="pending", index=True)  # pending, approved, rejected
    decided_by = ForeignKey(User, null=True)
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text(default="")
    recorded_by = ForeignKey(User, null=True)
    recorded_at = Timestamptz()
    version = Integer(default=1)
