"""The codes of a household's registration and of its members, with their Chinese labels (the
codes themselves are checked by server.households.tables)."""

from server.i18n import N_

# How a member is related to the applicant ("self" is the applicant, never offered in a form).
RELATIONS = {"spouse": N_("配偶"), "child": N_("子女"), "parent": N_("父母"), "grandchild": N_("孙子女"), "grandparent": N_("祖父母"), "sibling": N_("兄弟姐妹"), "other": N_("其他")}
LABOUR = {"full": N_("有劳动能力"), "partial": N_("部分丧失劳动能力"), "none": N_("无劳动能力")}
HUKOU = {"local_urban": N_("本地城镇户籍"), "local_rural": N_("本地农村户籍"), "non_local": N_("非本地户籍（外来务工等）")}
