// What the casework forms share (web/static/js/casework*.js): errors beside the field, the
// phone's checks, sections shown by case type, and arguments shaped as the mutations want them.
import { undecided } from "./conflicts.js";
import { onAnnounce } from "./db.js";
import { formArgs } from "./forms.js";
import { t } from "./i18n.js";
import { isoLocal } from "./outbox.js";
import { careTier, countError, dateError, idNumberError, moneyError, phoneError } from "./casework-rules.js";

export const today = () => isoLocal().slice(0, 10);
export const syncSoon = () => document.dispatchEvent(new Event("doorstep:sync"));
export const labels = (id) => JSON.parse(document.getElementById(id)?.textContent || "{}");

// ---- errors next to the field ---------------------------------------------------------------

// "incomes[0].amount" (the server's way) and "incomes.0.amount" (the form's) name the same field.
export const dotted = (field) => String(field || "").replace(/\[(\d+)\]/g, ".$1");

export function placeOf(form, field) {
  const parts = dotted(field).split(".");
  for (let n = parts.length; n > 0; n--) {
    const name = parts.slice(0, n).join(".");
    const el = form.querySelector(`[name="${name}"]:not(:disabled), [data-field="${name}"]:not([hidden])`);
    if (el) return el;
  }
  return null;
}

export function showErrors(form, errors, { summary = true } = {}) {
  for (const p of form.querySelectorAll(".field-error[data-generated]")) p.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const box = form.querySelector("[data-form-errors]");
  if (box) {
    box.hidden = !(summary && errors.length);
    box.replaceChildren(...(summary && errors.length ? [Object.assign(document.createElement("b"), { textContent: t("请更正以下 {count} 处：", { count: errors.length }) }), ...errors.map((e) => Object.assign(document.createElement("div"), { textContent: e.reason }))] : []));
  }
  for (const { field, reason } of errors) {
    const el = placeOf(form, field);
    if (!el) continue;
    const note = Object.assign(document.createElement("p"), { className: "field-error", textContent: reason });
    note.dataset.generated = "1";
    note.dataset.for = dotted(field);
    if (el.matches("input, select, textarea")) {
      el.setAttribute("aria-invalid", "true");
      (el.closest("label.choice") || el).after(note);
    } else {
      el.append(note);
    }
  }
  if (summary && errors.length) (box || placeOf(form, errors[0].field))?.scrollIntoView({ block: "center" });
  return errors.length === 0;
}

// Every visible field with data-check, checked as the server would.
export function checkFields(form) {
  const errors = [];
  for (const el of form.querySelectorAll("[data-check]:not(:disabled)")) {
    const required = el.hasAttribute("data-required");
    const reason = { id_number: () => el.value.trim() && idNumberError(el.value), phone: () => phoneError(el.value, required), money: () => moneyError(el.value, required),
      date: () => dateError(el.value), count: () => countError(el.value) }[el.dataset.check]();
    if (reason) errors.push({ field: el.name, reason });
  }
  return errors;
}

// One save at a time: a second tap while the first is being written does nothing.
export function onSubmit(form, save) {
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (form.dataset.saving) return;
    form.dataset.saving = "1";
    try {
      await save();
    } finally {
      delete form.dataset.saving;
    }
  });
}

// ---- showing only what the case type needs ---------------------------------------------------

export function applyVisibility(root, type) {
  const value = (name) => root.querySelector(`[name="${name}"]:checked`)?.value ?? root.querySelector(`[name="${name}"]`)?.value;
  const sections = [...root.querySelectorAll("[data-for], [data-show-when]")];
  for (const s of sections) {
    const [name, wanted] = (s.dataset.showWhen || "=").split("=");
    s.hidden = (s.dataset.for && !s.dataset.for.split(" ").includes(type)) || (s.dataset.showWhen && value(name) !== wanted);
  }
  for (const el of root.querySelectorAll("input, select, textarea")) el.disabled = Boolean(el.closest("[hidden]"));
}

export function wireVisibility(form, typeOf) {
  const apply = () => applyVisibility(form, typeOf());
  form.addEventListener("change", apply);
  apply();
  return apply;
}

export function wireCareTier(form) {
  const out = form.querySelector("[data-care-tier]");
  if (!out) return;
  const show = () => { out.textContent = careTier(activities(formArgs(form).tekun || {})); };
  form.addEventListener("change", show);
  show();
}

// ---- arguments as the mutations want them ----------------------------------------------------

export const bool = (v) => v === true || v === "true";
export const filled = (obj) => Object.values(obj || {}).some((v) => v !== "" && v !== undefined && !(typeof v === "object" && !Object.keys(v).length));
export const activities = (tekun) => Object.fromEntries(Object.entries(tekun.daily_activities || {}).map(([k, v]) => [k, bool(v)]));

export function tekunSection(args) {
  const tekun = args.tekun || {};
  const out = {};
  if (tekun.supporters) out.supporters = tekun.supporters;
  if (filled(tekun.daily_activities)) out.daily_activities = activities(tekun);
  return filled(out) ? out : null;
}

export function temporarySection(args) {
  const temporary = args.temporary || {};
  return filled(temporary) ? Object.fromEntries(Object.entries(temporary).filter(([, v]) => v !== "")) : null;
}

export function referralErrors(r) {
  const errors = [];
  if (!r.organisation_id) errors.push({ field: "referral.organisation_id", reason: t("请选择转介机构") });
  if (!r.reason) errors.push({ field: "referral.reason", reason: t("请填写转介原因") });
  if (!r.contact_name) errors.push({ field: "referral.contact_name", reason: t("请填写联系人") });
  if (!r.contact_phone) errors.push({ field: "referral.contact_phone", reason: t("请填写联系电话") });
  return errors;
}

export const referralArgs = (r, caseId) => ({ id: r.id || crypto.randomUUID(), case_id: caseId, organisation_id: Number(r.organisation_id), reason: r.reason, contact_name: r.contact_name, contact_phone: r.contact_phone, note: r.note || "" });

// What the server refused of a mutation, beside its field; for an edit that overlapped, the
// sections in conflict (the server kept its values, which the form now shows), taken from the
// pulled conflict records not yet decided on this device (see conflicts.js).
const CONFLICT_KINDS = { "finances.set": "finances", "household.upsert": "household", "case.update": "case" };

export function refusals(state, name) {
  const shown = undecided(state.conflicts || [], CONFLICT_KINDS[name]).flatMap((c) => Object.keys(c.fields).map((field) => ({
    field, reason: t("此部分与服务器上的修改冲突：已保留服务器上的内容（如下），请核对后重新保存") })));
  // A refusal, or a workflow step that found another state (a conflict without a conflict record).
  const refused = state.rejected.filter((e) => e.name === name && (e.state === "rejected" || !e.result?.conflict)).at(-1);
  if (refused) shown.push({ field: refused.result?.field || "", reason: t("服务器退回：{reason}", { reason: t(refused.reason) }) });
  return shown;
}

// Pages re-render what the device holds when it changes (a sync, a capture); one page at a time.
let changeListeners = [];
export function onChange(listener) {
  changeListeners.push(listener);
}
export function resetChanges() {
  changeListeners = [];
}
onAnnounce((message) => message?.what !== "progress" && changeListeners.forEach((listener) => listener()));
