"""Audit events: append-only, each one hash-chained to the one before."""

from piccolo.columns import JSON, BigSerial, ForeignKey, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User


class AuditEvent(Table, tablename="audit_event"):
    id = BigSerial(primary_key=True)
    at = Timestamptz()
    actor = ForeignKey(User, null=True)
    actor_name = Varchar(length=100, default="")
    action = Varchar(length=64, index=True)
    target_type = Varchar(length=32, default="")
    target_id = Varchar(length=64, default="", index=True)
    detail = JSON(default="{}")
    prev_hash = Varchar(length=64, default="")
    hash = Varchar(length=64, default="")
