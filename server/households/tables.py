"""Households and persons. Ids are UUIDs generated on the device that created the record."""

from piccolo.columns import (
    UUID,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area

HUKOU_TYPES = ("local_urban", "local_rural", "non_local")
RELATIONS = ("self", "spouse", "child", "parent", "grandchild", "grandparent", "sibling", "other")
LABOUR_CAPACITY = ("full", "partial", "none")


class Household(Table, tablename="household"):
    id = UUID(primary_key=True)
    area = ForeignKey(Area, index=True)
    address = Varchar(length=300)
    contact_phone = Varchar(length=32, default="")
    hukou_type = Varchar(length=16, default="local_urban")
    version = Integer(default=1)
    created_by = ForeignKey(User, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()


class Person(Table, tablename="person"):
    id = UUID(primary_key=True)
    household = ForeignKey(Household, index=True)
    position = Integer(default=0)
    name = Varchar(length=100)
    sex = Varchar(length=1, default="")
    birth_date = Date(null=True, default=None)
    relation = Varchar(length=16, default="other")
    id_number = Varchar(length=18, default="", index=True)
    disability = Varchar(length=16, default="")  # "" or a grade: 1, 2, 3, 4
    serious_illness = Boolean(default=False)
    labour_capacity = Varchar(length=16, default="full")
