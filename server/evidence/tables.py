"""Evidence items. The id is a UUID generated on the device that captured the item."""

from piccolo.columns import UUID, BigInt, DoublePrecision, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.cases.tables import Case

KINDS = ("photo", "video", "audio", "document")


class Evidence(Table, tablename="evidence"):
    id = UUID(primary_key=True)
    # Scoped through the case's area (Evidence.case.area), so evidence follows its case.
    case = ForeignKey(Case, index=True)
    # The content: a verified blob of the media store, by SHA-256.
    sha256 = Varchar(length=64, index=True)
    kind = Varchar(length=16)
    mime = Varchar(length=100)
    size = BigInt()
    # Attribution: who, which device and passkey, capture time (device) and server time.
    captured_at = Timestamptz()
    device = Varchar(length=200, default="")
    client_id = Varchar(length=64, default="")
    attached_by = ForeignKey(User, null=True)
    passkey_id = Integer(null=True, default=None)
    attached_at = Timestamptz()
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    accuracy = DoublePrecision(null=True, default=None)
    note = Text(default="")
    version = Integer(default=1)
