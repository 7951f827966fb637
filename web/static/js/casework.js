// The casework pages of the field app (web/templates/field/casework/): here a new case of each
// type and the submit panel of the case page, and the page's entry (enhanceCasework); finances,
// the self-declaration and referrals have their own modules. Everything is checked on the phone
// first (casework-rules.js), written to the outbox and pushed by the sync client; what the server
// refuses is shown next to its field.
import { formArgs, prepareForm } from "./forms.js";
import { N_, t } from "./i18n.js";
import { get } from "./db.js";
import { enqueue, entries, update } from "./outbox.js";
import { gaps } from "./casework-rules.js";
import { caseState } from "./casework-state.js";
import {
  applyVisibility, bool, checkFields, filled, onChange, onSubmit, referralArgs, referralErrors, resetChanges, showErrors, syncSoon, tekunSection, temporarySection, wireCareTier, wireVisibility,
} from "./casework-form.js";
import { enhanceDeclaration } from "./casework-declaration.js";
import { enhanceFinances } from "./casework-finances.js";
import { enhanceReferral } from "./casework-referral.js";
import { currentCaseId } from "./views.js";

// ---- a new case ----------------------------------------------------------------------------------

function newCaseErrors(form, args) {
  const errors = checkFields(form);
  const type = args.type;
  if (["dibao", "tekun", "temporary", "referral"].includes(type)) {
    if (form.querySelector("[name=_household]:checked")?.value === "existing") {
      if (!args.household_id) errors.push({ field: "household_id", reason: t("请选择家庭") });
    } else {
      const h = args.household || {};
      if (!h.address) errors.push({ field: "household.address", reason: t("请填写家庭住址") });
      if (!h.members?.[0]?.name) errors.push({ field: "household.members.0.name", reason: t("请填写申请人姓名") });
      for (const el of form.querySelectorAll("[name$='.id_number']:not(:disabled)")) {
        const row = el.name.split(".")[2];
        const name = form.querySelector(`[name="household.members.${row}.name"]`).value.trim();
        if (name && !el.value.trim()) errors.push({ field: el.name, reason: t("请填写身份证号") });
        if (!name && el.value.trim()) errors.push({ field: `household.members.${row}.name`, reason: t("请填写成员姓名") });
      }
    }
  }
  if (type === "extension" && !form.querySelector("[name=_recipient]").value) errors.push({ field: "_recipient", reason: t("请选择现有救助对象") });
  if (type === "referral" && filled(args.referral)) errors.push(...referralErrors(args.referral));
  return errors;
}

async function saveNewCase(form) {
  const args = formArgs(form);
  if (!showErrors(form, newCaseErrors(form, args))) return;
  const type = args.type;
  const caseId = args.id;
  let householdId = args.household_id;
  let notes = args.notes || "";
  if (type === "extension") {
    const option = form.querySelector("[name=_recipient]").selectedOptions[0];
    householdId = option.dataset.household;
    // The case's notes are the record's text, kept on the server: in Chinese whatever the page's language.
    const extended = N_("延期原案件：{case}（{id}）").replace("{case}", option.textContent.trim()).replace("{id}", option.value);
    notes = `${extended}${notes ? `\n${notes}` : ""}`;
  } else if (form.querySelector("[name=_household]:checked")?.value !== "existing") {
    householdId = crypto.randomUUID();
    const h = args.household;
    const members = h.members.map((m) => ({ ...m, serious_illness: bool(m.serious_illness) }));
    await enqueue("household.upsert", { id: householdId, area: h.area, address: h.address, contact_phone: h.contact_phone, hukou_type: h.hukou_type, members });
  }
  await enqueue("case.create", { id: caseId, type, household_id: householdId, procedure: args.procedure, notes });
  const finances = { tekun: type === "tekun" && tekunSection(args), temporary: type === "temporary" && temporarySection(args) };
  for (const [section, value] of Object.entries(finances)) if (value) await enqueue("finances.set", { case_id: caseId, [section]: value }, { base_version: null });
  if (type === "referral" && filled(args.referral)) await enqueue("referral.create", referralArgs(args.referral, caseId));
  syncSoon();
  location.assign(`/field/cases/${caseId}`);
}

// Without a type in the address the page offers the types first (one cached copy of the page
// serves every address offline, so this is decided here); a household from ?household= (one just
// registered on this device, too) goes along to the chosen type, which then starts from it.
function chooseType(form, query) {
  const chosen = form.querySelector(`[name=type][value="${CSS.escape(query.get("type") || "")}"]`);
  const household = query.get("household");
  const chooser = form.ownerDocument.querySelector("[data-type-chooser]");
  chooser.hidden = Boolean(chosen);
  form.hidden = !chosen;
  for (const item of chooser.querySelectorAll("[data-choice]")) {
    const type = item.dataset.choice;
    const extension = type === "extension"; // extends a recipient's case, not a household
    item.hidden = Boolean(household) && extension;
    item.querySelector("a").href = `/field/casework/new?${new URLSearchParams({ type, ...(household && !extension ? { household } : {}) })}`;
  }
  return chosen;
}

// The household from ?household= when this copy of the page does not list it: one registered on
// the device (not yet sent, or sent since the page was made), so the case can start from it.
async function offerHousehold(select, id) {
  if ([...select.options].some((o) => o.value === id)) return;
  const pending = (await entries()).filter((e) => e.name === "household.upsert" && e.args.id === id).at(-1)?.args;
  const h = pending || (await get("records", `household:${id}`))?.data;
  if (h) select.append(new Option(`${(h.members || []).find((m) => m.relation === "self")?.name || h.members?.[0]?.name || ""} · ${h.address}`, id));
}

async function enhanceNewCase(form) {
  const query = new URLSearchParams(location.search);
  chooseType(form, query)?.click();
  // Set from the address whichever way the page came: a cached copy may be one the server made
  // for another household.
  const household = query.get("household");
  const select = form.querySelector("[name=household_id]");
  if (household) await offerHousehold(select, household);
  form.querySelector(`[name=_household][value=${household ? "existing" : "new"}]`).checked = true;
  select.value = household || "";
  wireVisibility(form, () => form.querySelector("[name=type]:checked")?.value);
  wireCareTier(form);
  onSubmit(form, () => saveNewCase(form));
}
// ---- the case page: what is missing, and submit ----------------------------------------------

async function renderPanel(panel, caseId) {
  const state = await caseState(caseId);
  panel.hidden = !state;
  if (!state) return;
  applyVisibility(panel, state.case.type);
  const missing = gaps(state.case.type, state.household, state.finances, { declared: state.declarations.length > 0, referred: state.referrals.length > 0 });
  const refused = state.rejected.filter((e) => e.name === "case.submit").at(-1);
  // Anything else of this case the server refused (the household, the case, a declaration…).
  const others = state.rejected.filter((e) => e.name !== "case.submit" && e.state === "rejected").map((e) => ({ field: e.result?.field, reason: t("服务器退回：{reason}", { reason: t(e.reason) }) }));
  const shown = [...others, ...(refused ? (refused.result?.details?.missing || [{ field: refused.result?.field, reason: refused.reason }]) : missing)];
  const box = panel.querySelector("[data-gaps]");
  box.hidden = !shown.length || state.status === "submitted";
  panel.querySelector("[data-gaps-title]").textContent = refused ? t("服务器退回了提交：{reason}", { reason: t(refused.reason) }) : missing.length ? t("资料不完整，暂不能提交审核：") : t("服务器退回了以下记录，请修改：");
  box.querySelector("[data-list]").replaceChildren(...shown.map((g) => Object.assign(document.createElement("li"), { textContent: t(g.reason) })));
  box.dataset.missing = shown.map((g) => g.field).join(" ");
  const submittable = ["draft", "returned"].includes(state.status);
  const button = panel.querySelector("[data-submit-case]");
  button.hidden = !submittable;
  panel.querySelector("[data-submit-state]").textContent = state.status === "submitted" ? (state.case.status === "submitted" ? t("已提交审核") : t("已提交，待同步")) : "";
  button.onclick = async () => {
    const now = await caseState(caseId);
    const lacking = gaps(now.case.type, now.household, now.finances, { declared: now.declarations.length > 0, referred: now.referrals.length > 0 });
    if (lacking.length) {
      panel.querySelector("[data-submit-state]").textContent = t("请先补齐上面列出的资料，草稿已保存。");
      box.scrollIntoView({ block: "center" });
      return;
    }
    for (const e of now.rejected) if (e.name === "case.submit") await update(e.id, { state: "discarded" });
    await enqueue("case.submit", { case_id: caseId, expected_status: now.status });
    syncSoon();
  };
}

export async function enhanceCasework(root) {
  resetChanges();
  const caseId = currentCaseId();
  const panel = root.querySelector("[data-casework-panel]");
  if (panel && caseId) {
    onChange(() => renderPanel(panel, caseId));
    await renderPanel(panel, caseId);
    panel.dataset.ready = "1";
  }
  const form = root.querySelector("form[data-casework]:not([data-enhanced])");
  if (!form) return;
  form.dataset.enhanced = "1";
  for (const el of form.querySelectorAll("[data-uuid]")) el.value ||= crypto.randomUUID();
  prepareForm(form);
  const state = form.dataset.casework !== "new" && caseId && (await caseState(caseId));
  if (form.dataset.casework === "new") {
    await enhanceNewCase(form);
  } else if (!state) {
    form.querySelector("[data-missing-case]")?.removeAttribute("hidden");
  } else {
    const applicant = (state.household?.members || []).find((m) => m.relation === "self")?.name || "";
    for (const el of root.querySelectorAll("[data-case-title]")) el.textContent = `${applicant} · ${state.household?.address || ""}`;
    const enhancers = { finances: enhanceFinances, declaration: enhanceDeclaration, referral: enhanceReferral };
    await enhancers[form.dataset.casework](form, state);
  }
  form.dataset.ready = "1"; // filled and wired (for people who tap fast, and for tests)
}
