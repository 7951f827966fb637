"""The standards API's bodies and answers as the OpenAPI document shows them (the service
validates each field itself, with errors in Chinese naming the field)."""

from __future__ import annotations

import msgspec

Decimal = str  # a decimal number written as text, e.g. "1120.00"


class StandardIn(msgspec.Struct):
    area: str
    effective_from: str
    dibao_standard: Decimal
    dibao_minimum: Decimal = "0"
    low_income_multiple: Decimal | None = None
    tekun_multiple: Decimal | None = None
    temporary_general: Decimal | None = None
    temporary_serious: Decimal | None = None
    temporary_critical: Decimal | None = None
    asset_limit_months: int = 24
    extension_months: int = 3
    is_example: bool = False
    note: str = ""


class StandardUpdate(msgspec.Struct):
    """Only the fields sent change; `base_version` is the version the admin saw."""

    base_version: int
    effective_from: str | None = None
    dibao_standard: Decimal | None = None
    dibao_minimum: Decimal | None = None
    low_income_multiple: Decimal | None = None
    tekun_multiple: Decimal | None = None
    temporary_general: Decimal | None = None
    temporary_serious: Decimal | None = None
    temporary_critical: Decimal | None = None
    asset_limit_months: int | None = None
    extension_months: int | None = None
    is_example: bool | None = None
    note: str | None = None


class Standard(msgspec.Struct):
    id: int
    area: str
    area_name: str
    effective_from: str
    dibao_standard: Decimal
    dibao_minimum: Decimal
    low_income_multiple: Decimal
    tekun_multiple: Decimal
    temporary_general: Decimal
    temporary_serious: Decimal
    temporary_critical: Decimal
    asset_limit_months: int
    extension_months: int
    is_example: bool
    note: str
    version: int


class StandardList(msgspec.Struct):
    standards: list[Standard]
