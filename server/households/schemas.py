"""The household API's answer as the OpenAPI document shows it."""

from __future__ import annotations

import msgspec


class AreaRef(msgspec.Struct):
    code: str
    name: str


class Member(msgspec.Struct):
    id: str
    name: str
    sex: str
    birth_date: str | None
    relation: str
    id_number: str  # masked
    disability: str
    serious_illness: bool
    labour_capacity: str


class Household(msgspec.Struct):
    id: str
    area: AreaRef
    address: str
    contact_phone: str
    hukou_type: str
    version: int
    updated_at: str
    members: list[Member]
