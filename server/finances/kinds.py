"""The codes used in a finances document, with their Chinese labels (national categories)."""

from server.i18n import N_

# Monthly income by kind. `counted` says whether it enters the per-capita income.
INCOME_KINDS = {
    "wage": N_("工资性收入"),
    "business": N_("经营净收入"),
    "property": N_("财产净收入"),
    "transfer": N_("转移净收入"),
    "youfu": N_("优抚金"),
    "award": N_("奖励性补助"),
    "assistance": N_("社会救助金"),
    "basic_pension": N_("城乡居民基础养老金"),
    "elderly_allowance": N_("高龄津贴"),
}
COUNTED = ("wage", "business", "property", "transfer")
# Not counted, by case type (《最低生活保障审核确认办法》, 《特困人员认定办法》).
NOT_COUNTED = {
    "dibao": ("youfu", "award", "assistance", "basic_pension"),
    "tekun": ("youfu", "award", "assistance", "basic_pension", "elderly_allowance"),
}

ASSET_KINDS = {
    "housing": N_("住房"),
    "vehicle": N_("机动车辆"),
    "deposit": N_("存款"),
    "securities": N_("有价证券、基金"),
    "insurance": N_("商业保险"),
    "other_financial": N_("其他金融资产"),
}
FINANCIAL_ASSETS = ("deposit", "securities", "insurance", "other_financial")

EXPENSE_KINDS = {
    "disability": N_("残疾康复支出"),
    "illness": N_("重病医疗支出"),
    "employment": N_("就业成本支出"),
}

CIRCUMSTANCE_KINDS = {
    "disability": N_("残疾"),
    "serious_illness": N_("重病"),
    "elderly_alone": N_("独居老人"),
    "minor": N_("未成年人"),
    "other": N_("其他特殊情况"),
}

SUPPORTERS = {"none": N_("无法定赡养、抚养、扶养义务人"), "unable": N_("义务人无赡养、抚养、扶养能力"), "able": N_("义务人有能力")}
DAILY_ACTIVITIES = {
    "eating": N_("吃饭"),
    "dressing": N_("穿衣"),
    "bed_transfer": N_("上下床"),
    "toileting": N_("如厕"),
    "indoor_walking": N_("室内行走"),
    "bathing": N_("洗澡"),
}
TEMPORARY_KINDS = {"urgent": N_("急难型"), "expense": N_("支出型")}
SEVERITIES = {"general": N_("一般"), "serious": N_("较重"), "critical": N_("严重")}

SECTIONS = ("incomes", "assets", "expenses", "circumstances", "tekun", "temporary")
