"""Validating one field at a time. Each helper returns the clean value or raises `Invalid`
with a reason in Chinese and the field's name, so the phone can show it next to the field and
the API can answer it as JSON.

Amounts are `Decimal`, never `float`: a JSON number with a fraction arrives as a float that
may already have lost precision, so amounts are sent as strings ("1800.50") or whole numbers.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from server.errors import Invalid
from server.households.idnumber import id_number_error, normalize
from server.i18n import N_

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1000000000")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_PHONE_NOISE = re.compile(r"[\s\-()（）]")


def money(value: object, field: str, *, required: bool = True, allow_negative: bool = False) -> Decimal | None:
    """An amount of yuan with at most two decimals, as Decimal."""
    if value is None or value == "":
        if required:
            raise Invalid(N_("请填写金额"), field=field)
        return None
    if isinstance(value, bool) or isinstance(value, float):
        raise Invalid(N_("金额请以字符串或整数提交（如 \"1800.50\"），不能用浮点数"), field=field)
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        raise Invalid(N_("金额格式不正确，应为数字，最多两位小数"), field=field) from None
    if not amount.is_finite():
        raise Invalid(N_("金额格式不正确，应为数字，最多两位小数"), field=field)
    if abs(amount) >= MAX_AMOUNT:  # before rounding: a 30-digit number cannot be rounded to cents
        raise Invalid(N_("金额过大，请核对"), field=field)
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise Invalid(N_("金额最多保留两位小数（到分）"), field=field)
    if amount < 0 and not allow_negative:
        raise Invalid(N_("金额不能为负数"), field=field)
    return amount.quantize(CENT)


def ratio(value: object, field: str) -> Decimal:
    """A positive multiple such as 1.6 or 3, as Decimal (strings or whole numbers only)."""
    if value is None or value == "":
        raise Invalid(N_("请填写倍数"), field=field)
    if isinstance(value, bool) or isinstance(value, float):
        raise Invalid(N_("倍数请以字符串或整数提交（如 \"1.6\"），不能用浮点数"), field=field)
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid(N_("倍数格式不正确，应为数字"), field=field) from None
    if not number.is_finite() or number <= 0 or number > 100:
        raise Invalid(N_("倍数应为大于0的数字"), field=field)
    if number != number.quantize(Decimal("0.0001")):
        raise Invalid(N_("倍数最多保留四位小数"), field=field)
    return number


def phone(value: object, field: str = "phone", *, required: bool = True) -> str:
    """A mainland mobile number (11 digits from 1) or a landline with its area code."""
    raw = "" if value is None else str(value)
    digits = _PHONE_NOISE.sub("", raw)
    if digits.startswith("+86"):
        digits = digits[3:]
    if not digits:
        if required:
            raise Invalid(N_("请填写联系电话"), field=field)
        return ""
    if _MOBILE.match(digits) or _LANDLINE.match(digits):
        return digits
    raise Invalid(N_("电话号码格式不正确：手机号为1开头的11位数字，固定电话需带区号"), field=field)


def day(value: object, field: str, *, required: bool = True, not_after: date | None = None) -> date | None:
    """A calendar date, from a date or an ISO "YYYY-MM-DD" string."""
    if value is None or value == "":
        if required:
            raise Invalid(N_("请填写日期"), field=field)
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        result = value
    else:
        try:
            result = date.fromisoformat(str(value).strip())
        except ValueError:
            raise Invalid(N_("日期格式不正确，应为 YYYY-MM-DD，且须为真实存在的日期"), field=field) from None
    if result.year < 1900:
        raise Invalid(N_("日期过早，请核对"), field=field)
    if not_after is not None and result > not_after:
        raise Invalid(N_("日期不能晚于今天"), field=field)
    return result


def moment(value: object, field: str, *, label: str = "时间", not_after: datetime | None = None) -> datetime | None:
    """A point in time with its time zone, from an ISO 8601 string ("2022-04-01T10:00:00+08:00")."""
    if value in (None, ""):
        return None
    try:
        at = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(N_("{label}格式不正确，应为 ISO 8601 并带时区", label=label), field=field) from None
    if at.tzinfo is None:
        raise Invalid(N_("{label}须带时区（如 +08:00）", label=label), field=field)
    if not_after is not None and at > not_after:
        raise Invalid(N_("{label}晚于服务器当前时间，请核对手机时钟", label=label), field=field)
    return at


def id_number(value: object, field: str = "id_number") -> str:
    """A resident identity number with a correct check character."""
    raw = "" if value is None else str(value)
    if not raw.strip():
        raise Invalid(N_("请填写身份证号"), field=field)
    reason = id_number_error(raw)
    if reason:
        raise Invalid(reason, field=field)
    return normalize(raw)


def text(value: object, field: str, *, required: bool = True, max_length: int = 2000, label: str = "内容") -> str:
    """Free text, stripped; required means not blank. A number, list or object is not text."""
    if value is not None and not isinstance(value, str):
        raise Invalid(N_("{label}应为文字", label=label), field=field)
    if value and "\x00" in value:  # PostgreSQL keeps no NUL character in text
        raise Invalid(N_("{label}含有空字符（NUL）", label=label), field=field)
    result = "" if value is None else value.strip()
    if required and not result:
        raise Invalid(N_("请填写{label}", label=label), field=field)
    if len(result) > max_length:
        raise Invalid(N_("{label}过长（最多{count}字）", label=label, count=max_length), field=field)
    return result


def choice(value: object, field: str, choices: dict[str, str] | tuple[str, ...], *, label: str = N_("选项")) -> str:
    """One of the allowed codes."""
    if value is None or value == "":
        raise Invalid(N_("请选择{label}", label=label), field=field)
    if not isinstance(value, str) or value not in choices:  # a list or an object is no code (and not hashable)
        raise Invalid(N_("{label}不在可选范围内：{value}", label=label, value=str(value)[:50]), field=field)
    return value


def whole(value: object, field: str, *, minimum: int = 0, maximum: int = 10_000, label: str = "数量") -> int:
    """A whole number within bounds."""
    if isinstance(value, bool):
        raise Invalid(N_("{label}应为整数", label=label), field=field)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise Invalid(N_("{label}应为整数", label=label), field=field) from None
    if number < minimum or number > maximum:
        raise Invalid(N_("{label}应在{minimum}到{maximum}之间", label=label, minimum=minimum, maximum=maximum), field=field)
    return number


def uuid_value(value: object, field: str) -> uuid.UUID:
    """A UUID (ids are generated on the device)."""
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Invalid(N_("编号格式不正确（应为UUID）"), field=field) from None


def flag(value: object, field: str) -> bool:
    """A yes/no answer."""
    if isinstance(value, bool):
        return value
    raise Invalid(N_("请回答是或否"), field=field)


def money_str(amount: Decimal | None) -> str | None:
    """How amounts are stored and sent: a string with two decimals."""
    return None if amount is None else str(amount.quantize(CENT, rounding=ROUND_HALF_UP))


def uuid_keys(values: list) -> list[uuid.UUID]:
    """The valid UUIDs among `values` (others are ignored: a loader answers only what exists)."""
    keys = []
    for raw in values:
        try:
            keys.append(uuid_value(raw, "id"))
        except Invalid:
            continue
    return keys
