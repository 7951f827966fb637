"""The lists a supervisor chooses from: reasons for refusal, actions and their labels."""

from server.i18n import N_

REJECT_REASONS = {
    "income_over": N_("家庭人均收入高于当地标准"),
    "assets_over": N_("家庭财产超过规定"),
    "supporter_able": N_("有法定赡养、抚养、扶养人且有能力履行义务"),
    "not_resident": N_("不符合户籍或居住条件"),
    "false_info": N_("隐瞒或虚报家庭情况"),
    "refused_check": N_("不配合调查或核对"),
    "other": N_("其他原因"),
}

ACTIONS = {
    "approve": N_("批准"),
    "reject": N_("不予批准"),
    "return": N_("退回补充"),
    "object": N_("公示有异议，重新调查"),
    "assign": N_("改派网格员"),
}

STEPS = {"preliminary": N_("镇街初审意见"), "final": N_("审批决定"), "": ""}

TASK_KINDS = {"evidence": N_("补充材料"), "reinvestigate": N_("重新调查")}
