"""The sync engine's own tables. No foreign keys into the server's tables: `sync` knows no domain.

User, passkey and session ids are plain integers handed in by the server.
"""

from piccolo.columns import JSON, BigInt, BigSerial, Integer, Timestamptz, Varchar
from piccolo.table import Table


class SyncEpoch(Table, tablename="sync_epoch"):
    """The server's epochs; the newest row is the current one. A restore starts a new one."""

    epoch = Varchar(length=32, unique=True)
    started_at = Timestamptz()
    reason = Varchar(length=100, default="")


class SyncClient(Table, tablename="sync_client"):
    """One device install: whose it is and the last mutation id applied for it."""

    client_id = Varchar(length=64, unique=True, index=True)
    user_id = Integer(index=True)
    last_mutation_id = BigInt(default=0)
    # The epoch in which this client's sequence was last continued (see push: restored servers).
    epoch = Varchar(length=32, default="")
    created_at = Timestamptz()
    last_push_at = Timestamptz(null=True, default=None)


class SyncMutation(Table, tablename="sync_mutation"):
    """Every mutation the server answered for good (applied, conflict, rejected), with who and when."""

    id = BigSerial(primary_key=True)
    client_id = Varchar(length=64, index=True)
    mutation_id = BigInt()
    name = Varchar(length=64)
    args = JSON(default="{}")
    base_version = Integer(null=True, default=None)
    status = Varchar(length=16)
    result = JSON(default="{}")
    user_id = Integer(index=True)
    passkey_id = Integer(null=True, default=None)
    session_id = Integer(null=True, default=None)
    created_at = Timestamptz(null=True, default=None)  # capture time on the device
    received_at = Timestamptz()  # server time


class SyncChange(Table, tablename="sync_change"):
    """The change feed: the latest change of each record in each area it has been in.

    A pull reads the rows whose `area_path` lies in the caller's area, in `seq` order. When a
    record leaves an area, its row for that area stays as a tombstone with a new `seq`.
    """

    seq = BigSerial(primary_key=True)
    kind = Varchar(length=32)
    record_id = Varchar(length=64)
    area_path = Varchar(length=255, index=True)
    op = Varchar(length=8, default="upsert")  # upsert | delete


class SyncBackfill(Table, tablename="sync_backfill"):
    """A kind whose existing records were fed into the change feed in an epoch (see feed.backfill).

    No row for (kind, epoch): the next pull from scratch lists that kind's records once. A new
    epoch (a restore) and a demo load start without rows; a kind registered later has none.
    """

    kind = Varchar(length=32)
    epoch = Varchar(length=32)
    done_at = Timestamptz()


class SyncFailure(Table, tablename="sync_failure"):
    """Failed attempts at a mutation whose handler raised an unexpected error (see push).

    After `max_attempts` the mutation is answered `rejected` and its row removed.
    """

    client_id = Varchar(length=64)
    mutation_id = BigInt()
    attempts = Integer(default=0)
    last_error = Varchar(length=255, default="")
    updated_at = Timestamptz()


class SyncFieldStamp(Table, tablename="sync_field_stamp"):
    """The version at which a field of a record last changed (no row: at creation, version 1)."""

    kind = Varchar(length=32)
    record_id = Varchar(length=64)
    field = Varchar(length=64)
    version = Integer()


class SyncConflict(Table, tablename="sync_conflict"):
    """A device's edit that overlapped a newer server edit: kept here, never applied silently."""

    conflict_id = Varchar(length=36, unique=True, index=True)
    kind = Varchar(length=32)
    record_id = Varchar(length=64, index=True)
    area_path = Varchar(length=255, index=True)
    fields = JSON(default="{}")  # {field: {"server": value, "device": value}}
    base_version = Integer(null=True, default=None)
    server_version = Integer()
    status = Varchar(length=16, default="open")  # open | resolved
    client_id = Varchar(length=64)
    mutation_id = BigInt()
    user_id = Integer()
    created_at = Timestamptz()
    resolved_by = Integer(null=True, default=None)
    resolved_at = Timestamptz(null=True, default=None)
    resolution = JSON(default="{}")  # {field: "server" | "device"}
