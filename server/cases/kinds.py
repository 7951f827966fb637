"""Case types, statuses and procedures, with their Chinese labels."""

from server.i18n import N_

CASE_TYPES = {
    "dibao": N_("低保"),
    "tekun": N_("特困"),
    "temporary": N_("临时救助"),
    "extension": N_("延期（自我申报）"),
    "referral": N_("转介"),
}

STATUSES = {
    "draft": N_("草稿"),
    "submitted": N_("待审核"),
    "investigating": N_("调查中"),
    "returned": N_("退回补充"),
    "publicizing": N_("公示中"),
    "approved": N_("已批准"),
    "rejected": N_("未批准"),
    "closed": N_("已办结"),
}

PROCEDURES = {"normal": N_("常规程序"), "emergency": N_("应急简易程序")}
