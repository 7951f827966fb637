"""The one table of what a conflict is called: its kinds, its fields, the two choices and the words
for the codes its values hold. The supervisor's conflict panel and history (server.review.casepage)
read it as it is; every field page hands it to the phone's JavaScript (server.field.labels, the
`field-labels` JSON) in the request's language, so web/static/js/conflicts.js names nothing itself.

A conflict's fields are exactly the fields its kind's handler merges: `case.update`'s
(server.cases.services.EDITABLE), `household.upsert`'s (server.households.services.FIELDS) and
`finances.set`'s sections (server.finances.kinds.SECTIONS, where `tekun` is the 特困 checklist and
`temporary` the 临时救助 section, each named as its form names it).
"""

from __future__ import annotations

from server.cases.kinds import CASE_TYPES, PROCEDURES
from server.finances.kinds import ASSET_KINDS, CIRCUMSTANCE_KINDS, DAILY_ACTIVITIES, EXPENSE_KINDS, INCOME_KINDS, SEVERITIES, SUPPORTERS, TEMPORARY_KINDS
from server.households.kinds import HUKOU, LABOUR, RELATIONS
from server.i18n import N_, gettext

CONFLICT_KINDS = {"case": N_("案件"), "household": N_("家庭"), "finances": N_("家庭经济状况")}
CONFLICT_FIELDS = {
    # case.update
    "type": N_("救助类型"), "procedure": N_("办理程序"), "notes": N_("备注"),
    # household.upsert
    "area": N_("所属社区"), "address": N_("家庭住址"), "contact_phone": N_("联系电话"), "hukou_type": N_("户籍类型"), "members": N_("家庭成员"),
    # finances.set
    "incomes": N_("收入"), "assets": N_("财产"), "expenses": N_("支出"), "circumstances": N_("特殊情况"),
    "tekun": N_("特困人员认定"), "temporary": N_("临时救助"),
}
CONFLICT_CHOICES = {"server": N_("服务器的值"), "device": N_("设备的值")}

# The words for the codes a conflict's values hold, by field: 工资性收入 where the record says
# `wage`, 特困 where it says `tekun`, 急难型 where the 临时救助 section says `urgent`.
CONFLICT_VALUE_WORDS = {
    "type": CASE_TYPES,
    "procedure": PROCEDURES,
    "hukou_type": HUKOU,
    "members": {"self": N_("申请人"), **RELATIONS, **LABOUR},
    "incomes": INCOME_KINDS,
    "assets": ASSET_KINDS,
    "expenses": EXPENSE_KINDS,
    "circumstances": CIRCUMSTANCE_KINDS,
    "tekun": SUPPORTERS,
    "temporary": {**TEMPORARY_KINDS, **SEVERITIES},
}

# Yes/no answers a conflict's values hold under a code, by field: the 特困 checklist's six daily
# activities (`daily_activities: {eating: true, …}`), each shown with its name and whether it can
# be done alone, as its form asks (吃饭：能), never as a bare 是/否.
CONFLICT_ANSWERS = {"tekun": DAILY_ACTIVITIES}
ANSWER = N_("{activity}：{answer}")
ANSWER_WORDS = {True: N_("能"), False: N_("不能")}


def _shown(table: dict[str, str]) -> dict[str, str]:
    return {code: gettext(label) for code, label in table.items()}


def conflict_answers() -> dict[str, dict[str, dict[str, str]]]:
    """Each named answer as shown, in the request's language: {field: {code: {"true": …, "false": …}}}."""
    template = gettext(ANSWER)
    return {
        field: {code: {str(flag).lower(): template.format(activity=gettext(label), answer=gettext(word)) for flag, word in ANSWER_WORDS.items()}
                for code, label in names.items()}
        for field, names in CONFLICT_ANSWERS.items()
    }


def conflict_words() -> dict[str, dict]:
    """The same in the request's language, for the phone's JavaScript."""
    return {
        "kinds": _shown(CONFLICT_KINDS),
        "fields": _shown(CONFLICT_FIELDS),
        "values": {field: _shown(words) for field, words in CONFLICT_VALUE_WORDS.items()},
        "answers": conflict_answers(),
    }
