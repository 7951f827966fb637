"""The referral and organisation API's bodies and answers as the OpenAPI document shows them (the
services validate each field themselves, with errors in Chinese naming the field)."""

from __future__ import annotations

from typing import Any

import msgspec


class OrganisationIn(msgspec.Struct):
    name: str
    kind: str  # department, committee, charity
    area: str
    contact_name: str = ""
    contact_phone: str = ""
    services: str = ""
    due_days: int = 10
    active: bool = True


class OrganisationUpdate(msgspec.Struct):
    """Only the fields sent change; `base_version` is the version the officer saw."""

    base_version: int
    name: str | None = None
    kind: str | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    services: str | None = None
    due_days: int | None = None
    active: bool | None = None


class Organisation(msgspec.Struct):
    id: int
    name: str
    kind: str
    area: str
    area_name: str
    contact_name: str
    contact_phone: str
    services: str
    due_days: int
    active: bool
    version: int


class OrganisationList(msgspec.Struct):
    organisations: list[Organisation]


class ReferralIn(msgspec.Struct):
    """The same arguments as the `referral.create` mutation."""

    id: str
    case_id: str
    organisation_id: int
    reason: str
    contact_name: str
    contact_phone: str
    referred_on: str | None = None
    due_on: str | None = None


class ReferralStatusIn(msgspec.Struct):
    expected_status: str
    status: str  # referred, received, done, returned
    on: str | None = None
    note: str = ""


class Referral(msgspec.Struct):
    id: str
    case_id: str
    organisation_id: int
    organisation: str
    reason: str
    contact_name: str
    contact_phone: str
    status: str
    referred_on: str
    due_on: str | None
    status_on: str | None
    overdue: bool
    version: int
    events: list[dict[str, Any]] = []


class ReferralList(msgspec.Struct):
    referrals: list[Referral]


class ReferralChanged(msgspec.Struct):
    id: str
    status: str
    version: int
