"""Field validation: Chinese reasons naming the field; amounts as Decimal, never float."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from server.errors import Invalid
from server.validation import rules


def reason(call) -> tuple[str, str]:
    with pytest.raises(Invalid) as caught:
        call()
    return caught.value.field, caught.value.reason


def test_money_accepts_strings_and_whole_numbers_as_decimal():
    assert rules.money("1800.5", "amount") == Decimal("1800.50")
    assert rules.money(1800, "amount") == Decimal("1800.00")
    assert rules.money("1,800.00", "amount") == Decimal("1800.00")
    assert rules.money_str(rules.money("0.1", "a") + rules.money("0.2", "b")) == "0.30"


def test_money_refuses_floats_fractions_of_a_fen_negatives_and_words():
    assert reason(lambda: rules.money(1800.5, "incomes[0].amount")) == ("incomes[0].amount", "金额请以字符串或整数提交（如 \"1800.50\"），不能用浮点数")
    assert reason(lambda: rules.money("1.005", "x"))[1] == "金额最多保留两位小数（到分）"
    assert reason(lambda: rules.money("-3", "x"))[1] == "金额不能为负数"
    assert reason(lambda: rules.money("一千", "x"))[1] == "金额格式不正确，应为数字，最多两位小数"
    assert reason(lambda: rules.money("NaN", "x"))[1] == "金额格式不正确，应为数字，最多两位小数"
    assert reason(lambda: rules.money("", "x"))[1] == "请填写金额"
    assert rules.money("", "x", required=False) is None


def test_phone_accepts_mobile_and_landline_with_area_code():
    assert rules.phone("138 0013 8000") == "13800138000"
    assert rules.phone("+86 13800138000") == "13800138000"
    assert rules.phone("020-87654321") == "02087654321"


def test_phone_refuses_short_or_wrong_numbers():
    assert reason(lambda: rules.phone("1380013800", "contact_phone")) == ("contact_phone", "电话号码格式不正确：手机号为1开头的11位数字，固定电话需带区号")
    assert reason(lambda: rules.phone("12800138000"))[0] == "phone"
    assert reason(lambda: rules.phone("87654321"))[1].startswith("电话号码格式不正确")
    assert reason(lambda: rules.phone(""))[1] == "请填写联系电话"
    assert rules.phone("", required=False) == ""


def test_day_parses_iso_dates_and_refuses_impossible_ones():
    assert rules.day("2022-04-01", "on") == date(2022, 4, 1)
    assert reason(lambda: rules.day("2022-02-30", "on")) == ("on", "日期格式不正确，应为 YYYY-MM-DD，且须为真实存在的日期")
    assert reason(lambda: rules.day("1/4/2022", "on"))[0] == "on"
    assert reason(lambda: rules.day("2030-01-01", "on", not_after=date(2026, 1, 1)))[1] == "日期不能晚于今天"


def test_id_number_checks_the_check_character():
    good = "11010519491231002X"
    assert rules.id_number(good.lower()) == good
    assert reason(lambda: rules.id_number("110105194912310021", "members[0].id_number")) == ("members[0].id_number", "身份证号校验码不正确")
    assert reason(lambda: rules.id_number("11010519491331002X"))[1] == "身份证号中的出生日期无效"
    assert reason(lambda: rules.id_number("12345"))[1].startswith("身份证号应为18位")


def test_ratio_and_choice_and_whole():
    assert rules.ratio("1.6", "tekun_multiple") == Decimal("1.6")
    assert reason(lambda: rules.ratio(1.6, "tekun_multiple"))[0] == "tekun_multiple"
    assert reason(lambda: rules.ratio("0", "m"))[1] == "倍数应为大于0的数字"
    assert reason(lambda: rules.choice("x", "kind", ("a",), label="类别"))[1] == "类别不在可选范围内：x"
    assert reason(lambda: rules.whole("3.5", "n", label="月数"))[1] == "月数应为整数"


def test_moment_needs_a_time_zone_and_not_the_future():
    from datetime import datetime, timezone

    assert rules.moment("2022-04-01T10:00:00+08:00", "at").utcoffset().total_seconds() == 8 * 3600
    assert rules.moment("", "at") is None
    assert reason(lambda: rules.moment("2022-04-01T10:00:00", "declared_at", label="申报时间")) == ("declared_at", "申报时间须带时区（如 +08:00）")
    assert reason(lambda: rules.moment("yesterday", "at"))[1] == "时间格式不正确，应为 ISO 8601 并带时区"
    limit = datetime(2022, 1, 1, tzinfo=timezone.utc)
    assert reason(lambda: rules.moment("2022-04-01T10:00:00+08:00", "at", not_after=limit))[1] == "时间晚于服务器当前时间，请核对手机时钟"
