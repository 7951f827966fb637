"""Resident identity numbers (GB 11643-1999): 17 digits and a check character."""

from __future__ import annotations

import operator
import re
from datetime import date

from server.i18n import N_

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_DIGITS = {str(digit): digit for digit in range(10)}
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_character(first17: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    if len(first17) != len(_WEIGHTS) or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"17 digits expected, got {first17!r}")
    total = sum(map(operator.mul, map(_DIGITS.__getitem__, first17), _WEIGHTS))
    return _CHECK[total % 11]


def normalize(id_number: str) -> str:
    return id_number.strip().upper()


def id_number_error(id_number: str) -> str | None:
    """A reason in Chinese why the number is not valid, or None when it is."""
    value = normalize(id_number)
    if not _SHAPE.match(value):
        return N_("身份证号应为18位：17位数字加1位校验码（数字或X）")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return N_("身份证号中的出生日期无效")
    if check_character(value[:17]) != value[17]:
        return N_("身份证号校验码不正确")
    return None


def birth_date_of(id_number: str) -> date:
    value = normalize(id_number)
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def sex_of(id_number: str) -> str:
    """"M" or "F" from the 17th digit (odd for men)."""
    return "M" if int(normalize(id_number)[16]) % 2 else "F"


def mask(id_number: str) -> str:
    """The number as shown in lists: the first 6 and last 4 characters, the rest hidden."""
    value = normalize(id_number)
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]
