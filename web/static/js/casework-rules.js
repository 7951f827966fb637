// The server's validation rules, mirrored on the phone so that a mistake is shown next to the
// field before anything is saved (server/validation/rules.py, server/households/idnumber.py),
// and what a case still lacks before it may be submitted (server/validation/completeness.py).
// The reasons are the server's own words, in the page's language: the English is the catalogue's
// translation of the server's Chinese (tests/e2e/test_casework_offline.py checks both).
import { t } from "./i18n.js";

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";
export const ACTIVITIES = ["eating", "dressing", "bed_transfer", "toileting", "indoor_walking", "bathing"];

function realDate(year, month, day) {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

// GB 11643: 17 digits, a real birth date, and the ISO 7064 MOD 11-2 check character.
export function idNumberError(value) {
  const v = String(value ?? "").trim().toUpperCase();
  if (!v) return t("请填写身份证号");
  if (!/^\d{17}[\dX]$/.test(v)) return t("身份证号应为18位：17位数字加1位校验码（数字或X）");
  if (!realDate(Number(v.slice(6, 10)), Number(v.slice(10, 12)), Number(v.slice(12, 14)))) return t("身份证号中的出生日期无效");
  const total = WEIGHTS.reduce((sum, w, i) => sum + w * Number(v[i]), 0);
  return CHECK[total % 11] === v[17] ? null : t("身份证号校验码不正确");
}

export function phoneError(value, required = true) {
  let digits = String(value ?? "").replace(/[\s\-()（）]/g, "");
  if (digits.startsWith("+86")) digits = digits.slice(3);
  if (!digits) return required ? t("请填写联系电话") : null;
  return /^1[3-9]\d{9}$/.test(digits) || /^0\d{2,3}\d{7,8}$/.test(digits) ? null : t("电话号码格式不正确：手机号为1开头的11位数字，固定电话需带区号");
}

// Amounts stay strings from the field to the server: checked as text, never parsed to a float.
export function moneyError(value, required = true) {
  const v = String(value ?? "").trim().replace(/[,，]/g, "");
  if (!v) return required ? t("请填写金额") : null;
  const match = v.match(/^([+-]?)(\d*)(?:\.(\d*))?$/);
  if (!match || !/\d/.test(v)) return t("金额格式不正确，应为数字，最多两位小数");
  if ((match[3] || "").replace(/0+$/, "").length > 2) return t("金额最多保留两位小数（到分）");
  if (match[1] === "-" && /[1-9]/.test(v)) return t("金额不能为负数");
  if (match[2].replace(/^0+/, "").length > 9) return t("金额过大，请核对");
  return null;
}

export function dateError(value, { required = false, notAfter = null } = {}) {
  const v = String(value ?? "").trim();
  if (!v) return required ? t("请填写日期") : null;
  const m = v.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  if (!m || !realDate(Number(m[1]), Number(m[2]), Number(m[3]))) return t("日期格式不正确，应为 YYYY-MM-DD，且须为真实存在的日期");
  if (Number(m[1]) < 1900) return t("日期过早，请核对");
  if (notAfter && v > notAfter) return t("日期不能晚于今天");
  return null;
}

export function countError(value) {
  const v = String(value ?? "").trim();
  if (!/^\d+$/.test(v)) return t("数量应为整数");
  return Number(v) > 1000 ? t("数量应在0到1000之间") : null;
}

// What case.submit would refuse, field by field (the order of server/validation/completeness.py).
export function gaps(type, household, finances, { declared = false, referred = false } = {}) {
  const out = [];
  const gap = (field, reason) => out.push({ field, reason });
  if (!household) {
    gap("household_id", t("未关联家庭"));
  } else {
    if (!String(household.address || "").trim()) gap("household.address", t("请填写家庭住址"));
    const phone = phoneError(household.contact_phone);
    if (phone) gap("household.contact_phone", phone);
    const members = household.members || [];
    if (!members.length) gap("household.members", t("请录入家庭成员"));
    else if (!members.some((m) => m.relation === "self")) gap("household.members", t("请指明申请人（与申请人关系为“本人”的成员）"));
    members.forEach((m, i) => {
      const field = `household.members[${i}].id_number`;
      if (!String(m.id_number || "").trim()) gap(field, t("请填写{name}的身份证号", { name: m.name }));
      else if (idNumberError(m.id_number)) gap(field, t("{name}：{reason}", { name: m.name, reason: idNumberError(m.id_number) }));
    });
  }
  const data = finances || {};
  if (type === "dibao" || type === "tekun") {
    if (!("incomes" in data)) gap("incomes", t("请录入家庭成员收入（没有收入也请确认“无收入”）"));
    if (!("assets" in data)) gap("assets", t("请录入家庭财产（没有财产也请确认“无财产”）"));
  }
  if (type === "tekun") {
    const tekun = data.tekun || {};
    if (!("supporters" in tekun)) gap("tekun.supporters", t("请填写法定赡养、抚养、扶养义务人情况"));
    if (ACTIVITIES.some((k) => !(k in (tekun.daily_activities || {})))) gap("tekun.daily_activities", t("请评估六项日常生活活动能力"));
  }
  if (type === "temporary") {
    const temporary = data.temporary || {};
    if (!("kind" in temporary)) gap("temporary.kind", t("请选择急难型或支出型"));
    if (!("severity" in temporary)) gap("temporary.severity", t("请选择困难程度"));
    if (!temporary.reason) gap("temporary.reason", t("请填写困难原因"));
    if (temporary.kind === "expense" && !temporary.expense_amount) gap("temporary.expense_amount", t("支出型救助请填写支出金额"));
  }
  if (type === "extension" && !declared) gap("declaration", t("请记录申报人的自我申报承诺及证据"));
  if (type === "referral" && !referred) gap("referral", t("请填写转介机构、原因和联系人"));
  return out;
}

// The care tier of server/eligibility/compute.py: activities that cannot be done alone.
export function careTier(activities) {
  const assessed = ACTIVITIES.filter((k) => k in activities);
  if (assessed.length < ACTIVITIES.length) return t("已评估 {count}/6 项", { count: assessed.length });
  const unmet = ACTIVITIES.filter((k) => activities[k] === false).length;
  const tier = unmet === 0 ? t("具备生活自理能力") : unmet <= 3 ? t("部分丧失生活自理能力") : t("完全丧失生活自理能力");
  return t("{tier}（{count} 项不能独立完成）", { tier, count: unmet });
}
