"""The answers of a daily check, with their Chinese labels, and which of them are exceptions."""

from server.i18n import N_

LIVING = {
    "home": N_("居家正常"),
    "hospital": N_("住院治疗"),
    "isolation": N_("集中隔离"),
    "away": N_("外出或投亲"),
    "unreachable": N_("联系不上"),
    "deceased": N_("已去世"),
}
HEALTH = {
    "stable": N_("平稳"),
    "unwell": N_("身体不适"),
    "worse": N_("病情加重"),
    "emergency": N_("需紧急救治"),
}
NEEDS = {
    "food": N_("生活物资"),
    "medicine": N_("药品"),
    "medical": N_("就医"),
    "other": N_("其他"),
}
CONTACT = {
    "phone": N_("电话"),
    "video": N_("视频"),
    "door": N_("上门（不入户）"),
}
# A check is an exception for the upward report when it flags needs, or any of these.
ALARMING_LIVING = ("hospital", "unreachable", "deceased")
ALARMING_HEALTH = ("worse", "emergency")


def is_exception(check: dict) -> bool:
    return bool(check["needs"]) or check["living_status"] in ALARMING_LIVING or check["health"] in ALARMING_HEALTH
