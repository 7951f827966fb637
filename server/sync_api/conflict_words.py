"""The words for the codes a conflict's values hold, by field: the supervisor's conflict panel and
the phone's say 工资性收入 where the record says `wage`, 特困 where it says `tekun`."""

from __future__ import annotations

from server.cases.kinds import CASE_TYPES, PROCEDURES
from server.finances.kinds import ASSET_KINDS, CIRCUMSTANCE_KINDS, EXPENSE_KINDS, INCOME_KINDS
from server.households.kinds import HUKOU, LABOUR, RELATIONS
from server.i18n import N_, gettext

CONFLICT_VALUE_WORDS = {
    "type": CASE_TYPES,
    "procedure": PROCEDURES,
    "hukou_type": HUKOU,
    "members": {"self": N_("申请人"), **RELATIONS, **LABOUR},
    "incomes": INCOME_KINDS,
    "assets": ASSET_KINDS,
    "expenses": EXPENSE_KINDS,
    "circumstances": CIRCUMSTANCE_KINDS,
}


def conflict_value_words() -> dict[str, dict[str, str]]:
    """The same in the request's language, for the phone's JavaScript."""
    return {field: {code: gettext(label) for code, label in words.items()} for field, words in CONFLICT_VALUE_WORDS.items()}
