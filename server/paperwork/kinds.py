"""Documents that carry signatures, their signers' roles, and the obligation statuses."""

from server.i18n import N_

# In the order a worker goes through them with the family.
DOCUMENTS = {
    "application": N_("申请书"),
    "proxy": N_("委托书"),
    "statement": N_("书面声明"),
    "commitment": N_("承诺书"),
    "authorization": N_("家庭经济状况核对授权书"),
    "home_visit": N_("入户调查表"),
    "staff": N_("临时救助审批表（工作人员补签）"),
}
ORDER = {kind: i for i, kind in enumerate(DOCUMENTS)}

SIGNER_ROLES = {
    "applicant": N_("申请人"),
    "member": N_("共同生活家庭成员"),
    "proxy": N_("受托人"),
    "investigator": N_("调查人员"),
    "staff": N_("经办工作人员"),
    "approver": N_("审批人"),
}

STATUSES = {"pending": N_("待签"), "signed": N_("已签"), "waived": N_("免签")}
OPEN = "pending"

METHODS = {"screen": N_("手机屏幕签名"), "photo": N_("纸质签名拍照")}
