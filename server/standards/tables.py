"""Standards. Amounts and multiples are stored as decimal strings ("1120.00", "1.6"): SQLite
would store a Numeric as a float, and money must never pass through a float."""

from piccolo.columns import Boolean, Date, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.table import Table

from server.accounts.tables import User
from server.areas.tables import Area


class Standard(Table, tablename="assistance_standard"):
    """The figures in force in an area (and the areas below it) from `effective_from` on."""

    area = ForeignKey(Area, index=True)
    effective_from = Date()
    dibao_standard = Varchar(length=20)  # yuan per person per month
    dibao_minimum = Varchar(length=20, default="0.00")  # the smallest monthly 低保 amount paid
    low_income_multiple = Varchar(length=20, default="1.5")
    tekun_multiple = Varchar(length=20, default="1.3")  # 特困 basic living = multiple × 低保 standard
    temporary_general = Varchar(length=20, default="1")  # 临时救助 multiples of the monthly standard
    temporary_serious = Varchar(length=20, default="2")
    temporary_critical = Varchar(length=20, default="3")
    asset_limit_months = Integer(default=24)  # financial assets per person ≤ N × standard
    extension_months = Integer(default=3)  # benefits extended until N months after the emergency
    is_example = Boolean(default=False)
    note = Text(default="")
    version = Integer(default=1)
    created_by = ForeignKey(User, null=True)
    created_at = Timestamptz()
    updated_at = Timestamptz()
