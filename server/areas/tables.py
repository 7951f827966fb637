"""Areas: city → district → street/town → community/village, each with a code."""

from piccolo.columns import ForeignKey, Varchar
from piccolo.table import Table

LEVELS = ("city", "district", "street", "community")


class Area(Table, tablename="area"):
    """One node of the area tree.

    `path` is the chain of codes from the root, each followed by "/" (e.g.
    "440100/440106/440106001/"), so everything inside an area is a prefix match.
    """

    code = Varchar(length=32, unique=True, index=True)
    name = Varchar(length=100)
    level = Varchar(length=16, choices=None)
    parent = ForeignKey("self", null=True)
    path = Varchar(length=255, index=True)
