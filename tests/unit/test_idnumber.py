"""GB 11643 identity numbers."""

import pytest

from server.households.idnumber import birth_date_of, check_character, id_number_error, mask, sex_of


def test_check_character_matches_the_published_example():
    assert check_character("11010519491231002") == "X"


def test_valid_number_has_no_error_and_lowercase_x_is_accepted():
    assert id_number_error("11010519491231002X") is None
    assert id_number_error("11010519491231002x") is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("110105194912310021", "校验码"),
        ("11010519491331002X", "出生日期"),
        ("1101051949123100", "18位"),
        ("11010519491231002Y", "18位"),
        ("", "18位"),
    ],
)
def test_invalid_numbers_get_a_chinese_reason(value, reason):
    assert reason in id_number_error(value)


def test_birth_date_and_sex_are_read_from_the_number():
    assert str(birth_date_of("11010519491231002X")) == "1949-12-31"
    assert sex_of("11010519491231002X") == "F"


def test_mask_keeps_the_first_six_and_last_four():
    assert mask("11010519491231002X") == "110105********002X"


def test_check_character_refuses_anything_but_17_digits():
    for bad in ("1101051949123100", "1101051949123100X", "１１０１０５１９４９１２３１００２"):
        with pytest.raises(ValueError):
            check_character(bad)
