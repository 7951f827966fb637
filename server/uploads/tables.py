"""Uploads in progress and the blobs they produce. A blob is stored once per SHA-256."""

from piccolo.columns import UUID, BigInt, ForeignKey, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User

RECEIVING = "receiving"
COMPLETE = "complete"
REFUSED = "refused"


class Upload(Table, tablename="media_upload"):
    """One tus upload of one user. `received` (the Upload-Offset) is authoritative: the bytes the server has kept."""

    id = UUID(primary_key=True)
    owner = ForeignKey(User, index=True)
    length = BigInt()  # Upload-Length: the declared size of the whole file
    received = BigInt(default=0)  # the Upload-Offset: bytes kept so far
    # Lowercase hex SHA-256 of the whole file, as the device computed it at capture time.
    sha256 = Varchar(length=64, index=True)
    filename = Varchar(length=255, default="")
    filetype = Varchar(length=100, default="")
    status = Varchar(length=16, default=RECEIVING, index=True)
    # Decided from the file's bytes once it is complete.
    mime = Varchar(length=100, default="")
    kind = Varchar(length=16, default="")
    reason = Text(default="")
    created_at = Timestamptz()
    expires_at = Timestamptz(index=True)
    completed_at = Timestamptz(null=True, default=None)


class Blob(Table, tablename="media_blob"):
    """Verified content, stored once under media/blobs/<aa>/<sha256>."""

    sha256 = Varchar(length=64, primary_key=True)
    size = BigInt()
    mime = Varchar(length=100)
    kind = Varchar(length=16)
    created_at = Timestamptz()
