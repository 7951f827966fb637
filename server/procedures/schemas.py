"""The procedures API's bodies and answers as the OpenAPI document shows them."""

from __future__ import annotations

import msgspec


class EmergencyIn(msgspec.Struct):
    starts_on: str
    ends_on: str | None = None
    spot_check_percent: int = 30
    tekun_spot_check_percent: int = 30
    reason: str = ""
    district: str | None = None  # admins name the district; others declare for their own


class EmergencyEndIn(msgspec.Struct):
    ends_on: str | None = None  # today by default


class EmergencyPeriod(msgspec.Struct):
    id: int
    district: str | None
    district_name: str | None
    starts_on: str
    ends_on: str | None
    spot_check_percent: int
    tekun_spot_check_percent: int
    reason: str


class EmergencyPeriodList(msgspec.Struct):
    periods: list[EmergencyPeriod]


class DelegationIn(msgspec.Struct):
    decision_delegated: bool


class Delegation(msgspec.Struct):
    decision_delegated: bool
