// The casework forms of the field app (web/templates/field/casework/): a new case of each type,
// household finances, the self-declaration of an extension, referrals, and the submit panel on
// the case page. Everything is checked on the phone first (casework-rules.js), written to the
// outbox and pushed by the sync client; what the server refuses is shown next to its field.
import { all, onAnnounce } from "./db.js";
import { formArgs, prepareForm } from "./forms.js";
import { enqueue, isoLocal, update } from "./outbox.js";
import { careTier, countError, dateError, gaps, idNumberError, moneyError, phoneError } from "./casework-rules.js";
import { caseState } from "./casework-state.js";
import { currentCaseId } from "./views.js";

const LIST_SECTIONS = ["incomes", "assets", "expenses", "circumstances"];
const NEXT_STEPS = { referred: ["received", "returned"], received: ["done", "returned"] };
const today = () => isoLocal().slice(0, 10);
const syncSoon = () => document.dispatchEvent(new Event("doorstep:sync"));
const labels = (id) => JSON.parse(document.getElementById(id)?.textContent || "{}");

// ---- errors next to the field ---------------------------------------------------------------

// "incomes[0].amount" (the server's way) and "incomes.0.amount" (the form's) name the same field.
const dotted = (field) => String(field || "").replace(/\[(\d+)\]/g, ".$1");

function placeOf(form, field) {
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
    box.replaceChildren(...(summary && errors.length ? [Object.assign(document.createElement("b"), { textContent: `请更正以下 ${errors.length} 处：` }), ...errors.map((e) => Object.assign(document.createElement("div"), { textContent: e.reason }))] : []));
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
function checkFields(form) {
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
function onSubmit(form, save) {
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

function applyVisibility(root, type) {
  const value = (name) => root.querySelector(`[name="${name}"]:checked`)?.value ?? root.querySelector(`[name="${name}"]`)?.value;
  const sections = [...root.querySelectorAll("[data-for], [data-show-when]")];
  for (const s of sections) {
    const [name, wanted] = (s.dataset.showWhen || "=").split("=");
    s.hidden = (s.dataset.for && !s.dataset.for.split(" ").includes(type)) || (s.dataset.showWhen && value(name) !== wanted);
  }
  for (const el of root.querySelectorAll("input, select, textarea")) el.disabled = Boolean(el.closest("[hidden]"));
}

function wireVisibility(form, typeOf) {
  const apply = () => applyVisibility(form, typeOf());
  form.addEventListener("change", apply);
  apply();
  return apply;
}

function wireCareTier(form) {
  const out = form.querySelector("[data-care-tier]");
  if (!out) return;
  const show = () => { out.textContent = careTier(activities(formArgs(form).tekun || {})); };
  form.addEventListener("change", show);
  show();
}

// ---- arguments as the mutations want them ----------------------------------------------------

const bool = (v) => v === true || v === "true";
const filled = (obj) => Object.values(obj || {}).some((v) => v !== "" && v !== undefined && !(typeof v === "object" && !Object.keys(v).length));
const activities = (tekun) => Object.fromEntries(Object.entries(tekun.daily_activities || {}).map(([k, v]) => [k, bool(v)]));

function tekunSection(args) {
  const tekun = args.tekun || {};
  const out = {};
  if (tekun.supporters) out.supporters = tekun.supporters;
  if (filled(tekun.daily_activities)) out.daily_activities = activities(tekun);
  return filled(out) ? out : null;
}

function temporarySection(args) {
  const t = args.temporary || {};
  return filled(t) ? Object.fromEntries(Object.entries(t).filter(([, v]) => v !== "")) : null;
}

function referralErrors(r) {
  const errors = [];
  if (!r.organisation_id) errors.push({ field: "referral.organisation_id", reason: "请选择转介机构" });
  if (!r.reason) errors.push({ field: "referral.reason", reason: "请填写转介原因" });
  if (!r.contact_name) errors.push({ field: "referral.contact_name", reason: "请填写联系人" });
  if (!r.contact_phone) errors.push({ field: "referral.contact_phone", reason: "请填写联系电话" });
  return errors;
}

const referralArgs = (r, caseId) => ({ id: r.id || crypto.randomUUID(), case_id: caseId, organisation_id: Number(r.organisation_id), reason: r.reason, contact_name: r.contact_name, contact_phone: r.contact_phone, note: r.note || "" });

// ---- a new case ----------------------------------------------------------------------------------

function newCaseErrors(form, args) {
  const errors = checkFields(form);
  const type = args.type;
  if (["dibao", "tekun", "temporary", "referral"].includes(type)) {
    if (form.querySelector("[name=_household]:checked")?.value === "existing") {
      if (!args.household_id) errors.push({ field: "household_id", reason: "请选择家庭" });
    } else {
      const h = args.household || {};
      if (!h.address) errors.push({ field: "household.address", reason: "请填写家庭住址" });
      if (!h.members?.[0]?.name) errors.push({ field: "household.members.0.name", reason: "请填写申请人姓名" });
      for (const el of form.querySelectorAll("[name$='.id_number']:not(:disabled)")) {
        const row = el.name.split(".")[2];
        const name = form.querySelector(`[name="household.members.${row}.name"]`).value.trim();
        if (name && !el.value.trim()) errors.push({ field: el.name, reason: "请填写身份证号" });
        if (!name && el.value.trim()) errors.push({ field: `household.members.${row}.name`, reason: "请填写成员姓名" });
      }
    }
  }
  if (type === "extension" && !form.querySelector("[name=_recipient]").value) errors.push({ field: "_recipient", reason: "请选择现有救助对象" });
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
    notes = `延期原案件：${option.textContent.trim()}（${option.value}）${notes ? `\n${notes}` : ""}`;
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

function enhanceNewCase(form) {
  const query = new URLSearchParams(location.search);
  const chosen = query.get("type");
  if (chosen) form.querySelector(`[name=type][value="${chosen}"]`)?.click();
  if (query.get("household")) {
    form.querySelector("[name=_household][value=existing]").checked = true;
    form.querySelector("[name=household_id]").value = query.get("household");
  }
  wireVisibility(form, () => form.querySelector("[name=type]:checked")?.value);
  wireCareTier(form);
  onSubmit(form, () => saveNewCase(form));
}

// ---- household finances ------------------------------------------------------------------------

function renumber(list, section) {
  [...list.children].forEach((row, i) => {
    for (const el of row.querySelectorAll("[name]")) el.name = el.name.replace(new RegExp(`^${section}\\.\\d+\\.`), `${section}.${i}.`);
  });
}

function addRow(fieldset, values = {}) {
  const section = fieldset.dataset.rows;
  const list = fieldset.querySelector("[data-list]");
  const row = document.getElementById(`row-${section}`).content.firstElementChild.cloneNode(true);
  for (const el of row.querySelectorAll("[name]")) {
    el.name = el.name.replace("__i__", list.children.length);
    const key = el.name.split(".").at(-1);
    if (el.type === "checkbox") el.checked = values[key] === true;
    else if (values[key] !== undefined && values[key] !== null) el.value = String(values[key]);
  }
  row.querySelector("[data-remove]").addEventListener("click", () => { row.remove(); renumber(list, section); });
  list.append(row);
  return row;
}

const blank = (row) => [...row.querySelectorAll("input:not([type=checkbox]):not([name$='.count'])")].every((el) => !el.value.trim());

function fillChoices(form, prefix, values) {
  for (const [key, value] of Object.entries(values || {})) {
    if (value && typeof value === "object") fillChoices(form, `${prefix}${key}.`, value);
    for (const el of form.querySelectorAll(`[name="${prefix}${key}"]`)) {
      if (el.type === "radio") el.checked = el.value === String(value);
      else el.value = value ?? "";
    }
  }
}

function financeErrors(form, args) {
  const errors = checkFields(form);
  (args.circumstances || []).forEach((c, i) => {
    if (c.kind === "disability" && !["1", "2", "3", "4"].includes(c.detail)) errors.push({ field: `circumstances.${i}.detail`, reason: c.detail ? `残疾等级不在可选范围内：${c.detail}` : "请选择残疾等级" });
  });
  return errors;
}

// The sections as the form now says them (what `finances.set` would carry).
function financeSections(form, type) {
  const values = formArgs(form);
  const out = {};
  for (const fieldset of form.querySelectorAll("[data-rows]")) {
    const section = fieldset.dataset.rows;
    const rows = (values[section] || []).map((r) => (section === "assets" ? { ...r, count: Number(r.count || 1), exempt: bool(r.exempt) } : r));
    if (rows.length || section === "expenses" || section === "circumstances" || fieldset.querySelector("[data-none]")?.checked) out[section] = rows;
  }
  if (type === "tekun" && tekunSection(values)) out.tekun = tekunSection(values);
  if (type === "temporary" && temporarySection(values)) out.temporary = temporarySection(values);
  return out;
}

async function saveFinances(form, state) {
  const caseId = state.case.id;
  for (const fieldset of form.querySelectorAll("[data-rows]")) {
    const list = fieldset.querySelector("[data-list]");
    for (const row of [...list.children]) if (blank(row)) row.remove();
    renumber(list, fieldset.dataset.rows);
  }
  const values = formArgs(form);
  if (!showErrors(form, financeErrors(form, values))) return;
  // Only the sections the worker changed: the others must not overwrite (or conflict with) a
  // supervisor's edit made since the device's copy.
  const loaded = JSON.parse(form.dataset.loaded);
  const args = { case_id: caseId };
  for (const [section, value] of Object.entries(financeSections(form, state.case.type))) {
    if (JSON.stringify(value) !== loaded[section]) args[section] = value;
  }
  // A save not yet sent is replaced rather than followed by a second one based on the same version.
  const unsent = state.outbox.find((e) => e.name === "finances.set" && e.args.case_id === caseId && e.state === "pending" && e.mutation_id == null);
  if (Object.keys(args).length === 1) {
    // Nothing changed: nothing to send.
  } else if (unsent) await update(unsent.id, { args: { ...unsent.args, ...args } });
  else await enqueue("finances.set", args, { base_version: state.financesVersion });
  for (const e of state.rejected) if (e.name === "finances.set") await update(e.id, { state: "discarded", reason: `${e.reason || ""} (已修改重发)` });
  syncSoon();
  location.assign(`/field/cases/${caseId}`);
}

async function enhanceFinances(form, state) {
  const data = state.finances;
  const names = (state.household?.members || []).map((m) => new Option(m.name, m.name));
  form.querySelector("#f-members").replaceChildren(...names);
  for (const fieldset of form.querySelectorAll("[data-rows]")) {
    const section = fieldset.dataset.rows;
    (data[section] || []).forEach((values) => addRow(fieldset, values));
    const none = fieldset.querySelector("[data-none]");
    if (none) none.checked = section in data && !data[section].length;
    fieldset.querySelector("[data-add]").addEventListener("click", () => addRow(fieldset).querySelector("input, select").focus());
  }
  fillChoices(form, "tekun.", data.tekun);
  fillChoices(form, "temporary.", data.temporary);
  wireVisibility(form, () => state.case.type);
  wireCareTier(form);
  // What the device held, as the form would send it: a save sends only what differs (sections
  // the device never had count as changed, so a first save sends them all).
  const loaded = Object.fromEntries(Object.entries(financeSections(form, state.case.type)).filter(([section]) => section in data).map(([k, v]) => [k, JSON.stringify(v)]));
  form.dataset.loaded = JSON.stringify(loaded);
  // What submitting still lacks here, and what the server refused, next to its field.
  const own = gaps(state.case.type, state.household, data).filter((g) => /^(incomes|assets|tekun|temporary)/.test(g.field));
  showErrors(form, [...own, ...refusals(state, "finances.set")], { summary: false });
  onSubmit(form, () => saveFinances(form, state));
}

// The last refusal of a mutation of this case, beside its field: a rejection names one field, a
// conflict its sections (the server kept its values, which the form now shows).
function refusals(state, name) {
  const refused = state.rejected.filter((e) => e.name === name).at(-1);
  if (!refused) return [];
  const sections = Object.keys(refused.result?.conflict?.fields || {});
  if (refused.state === "conflict" && sections.length) {
    return sections.map((field) => ({ field, reason: "此部分与服务器上的修改冲突：已保留服务器上的内容（如下），请核对后重新保存" }));
  }
  return [{ field: refused.result?.field || "", reason: `服务器退回：${refused.reason}` }];
}

// ---- self-declaration ---------------------------------------------------------------------------

const KIND = { audio: "录音", video: "视频", photo: "照片" };

async function renderEvidenceChoices(form, caseId) {
  const list = form.querySelector("[data-evidence-choices]");
  const chosen = form.querySelector("[name=_evidence]:checked")?.value;
  const media = (await all("media", "case_id", caseId)).map((m) => ({ sha256: m.sha256, kind: m.kind, at: m.captured_at }));
  const pulled = (await all("records", "type", "evidence")).map((r) => r.data).filter((d) => d.case_id === caseId).map((d) => ({ sha256: d.sha256, kind: d.kind, at: d.captured_at }));
  const items = [...new Map([...pulled, ...media].filter((m) => KIND[m.kind]).map((m) => [m.sha256, m])).values()].sort((a, b) => (a.at < b.at ? -1 : 1));
  if (!items.length) return;
  list.replaceChildren(...items.map((m, i) => {
    const li = document.createElement("li");
    li.innerHTML = `<label class="choice"><input type="radio" name="_evidence"> <span></span></label>`;
    Object.assign(li.querySelector("input"), { value: m.sha256, checked: chosen ? chosen === m.sha256 : i === items.length - 1 });
    li.querySelector("input").dataset.kind = m.kind;
    li.querySelector("span").textContent = `${KIND[m.kind]} · ${String(m.at).slice(0, 16).replace("T", " ")} · ${m.sha256.slice(0, 12)}`;
    return li;
  }));
}

function renderDeclarations(section, declarations) {
  section.hidden = !declarations.length;
  section.querySelector("[data-list]").replaceChildren(...declarations.map((d) => {
    const li = Object.assign(document.createElement("li"), { className: `card${d.local ? " local" : ""}` });
    const until = d.extended_until ? `延期至 ${d.extended_until}，届时复核` : "延期期限待应急状态结束后确定";
    li.textContent = `${d.local ? "待同步" : { pending: "待审核", approved: "已批准", rejected: "未批准" }[d.status] || d.status} · ${KIND[d.evidence?.kind] || ""} · ${until}`;
    return li;
  }));
}

async function saveDeclaration(form, state) {
  const args = formArgs(form);
  const errors = checkFields(form);
  if (!args.content) errors.push({ field: "content", reason: "请填写承诺内容" });
  if (!bool(args.agreed)) errors.push({ field: "agreed", reason: "申报人须同意承诺内容后才能记录" });
  const evidence = form.querySelector("[name=_evidence]:checked");
  if (!evidence) errors.push({ field: "evidence", reason: "请附上申报人同意的证据（录音、视频或手写承诺照片）" });
  if (!showErrors(form, errors)) return;
  const body = { id: args.id, case_id: state.case.id, content: args.content, agreed: true, evidence: { kind: evidence.dataset.kind, ref: evidence.value } };
  if (args.declared_at) body.declared_at = args.declared_at;
  if (args.emergency_ends_on) body.emergency_ends_on = args.emergency_ends_on;
  await enqueue("declaration.record", body);
  syncSoon();
  location.assign(`/field/cases/${state.case.id}`);
}

async function enhanceDeclaration(form, state) {
  const refresh = async () => {
    renderDeclarations(document.querySelector("[data-declarations]"), (await caseState(state.case.id)).declarations);
    await renderEvidenceChoices(form, state.case.id);
  };
  onChange(refresh);
  await refresh();
  showErrors(form, refusals(state, "declaration.record"), { summary: false });
  onSubmit(form, () => saveDeclaration(form, state));
}

// ---- referrals ----------------------------------------------------------------------------------

function renderReferrals(section, state) {
  const statuses = labels("referral-labels").statuses || {};
  const items = state.referrals.map((r) => {
    const li = document.getElementById("tpl-referral").content.firstElementChild.cloneNode(true);
    const org = r.organisation || document.querySelector(`#r-org option[value="${r.organisation_id}"]`)?.textContent.split("（")[0] || "";
    const slot = (name, text) => { li.querySelector(`[data-slot=${name}]`).textContent = text; };
    slot("status", (r.local ? "待同步 · " : "") + (statuses[r.status] || r.status) + (r.overdue ? " · 已逾期" : ""));
    slot("organisation", org);
    slot("dates", r.referred_on ? `转介 ${r.referred_on} · 期限 ${r.due_on}` : "");
    slot("reason", r.reason);
    slot("contact", `${r.contact_name} ${r.contact_phone}`);
    li.dataset.referral = r.id;
    const step = li.querySelector("form");
    const next = NEXT_STEPS[r.status] || [];
    step.hidden = !next.length;
    step.querySelector("select").replaceChildren(...next.map((s) => new Option(statuses[s] || s, s)));
    step.querySelector("[name=on]").value = today();
    // A step the server refused (and nothing sent since): its reason beside the field, or on the card.
    const refused = state.outbox.filter((e) => e.args.id === r.id && e.name.startsWith("referral.")).at(-1);
    if (refused?.state === "rejected" && !showErrors(step, [{ field: refused.result?.field || "status", reason: `服务器退回：${refused.reason}` }], { summary: false }) && !step.querySelector(".field-error")) {
      Object.assign(li.querySelector("[data-slot=error]"), { hidden: false, textContent: `服务器退回：${refused.reason}` });
    }
    step.addEventListener("submit", async (e) => {
      e.preventDefault();
      const args = formArgs(step);
      const errors = checkFields(step);
      if (!errors.length && dateError(args.on, { notAfter: today() })) errors.push({ field: "on", reason: dateError(args.on, { notAfter: today() }) });
      if (args.status === "returned" && !args.note) errors.push({ field: "note", reason: "请填写退回原因" });
      if (!showErrors(step, errors)) return;
      for (const e of state.outbox) if (e.state === "rejected" && e.args.id === r.id) await update(e.id, { state: "discarded" });
      await enqueue("referral.update", { id: r.id, expected_status: r.status, status: args.status, on: args.on, note: args.note || "" });
      syncSoon();
    });
    return li;
  });
  const list = section.querySelector("[data-list]");
  if (items.length) list.replaceChildren(...items);
}

async function saveReferral(form, state) {
  const args = formArgs(form);
  if (!showErrors(form, [...checkFields(form), ...referralErrors(args.referral || {})])) return;
  await enqueue("referral.create", referralArgs(args.referral, state.case.id));
  syncSoon();
  location.assign(`/field/cases/${state.case.id}`);
}

async function enhanceReferral(form, state) {
  const section = document.querySelector("[data-referrals]");
  onChange(async () => renderReferrals(section, await caseState(state.case.id)));
  renderReferrals(section, state);
  showErrors(form, refusals(state, "referral.create"), { summary: false });
  onSubmit(form, () => saveReferral(form, state));
}

// ---- the case page: what is missing, and submit ----------------------------------------------

async function renderPanel(panel, caseId) {
  const state = await caseState(caseId);
  panel.hidden = !state;
  if (!state) return;
  applyVisibility(panel, state.case.type);
  const missing = gaps(state.case.type, state.household, state.finances, { declared: state.declarations.length > 0, referred: state.referrals.length > 0 });
  const refused = state.rejected.filter((e) => e.name === "case.submit").at(-1);
  const shown = refused ? (refused.result?.details?.missing || [{ field: refused.result?.field, reason: refused.reason }]) : missing;
  const box = panel.querySelector("[data-gaps]");
  box.hidden = !shown.length || state.status === "submitted";
  panel.querySelector("[data-gaps-title]").textContent = refused ? `服务器退回了提交：${refused.reason}` : "资料不完整，暂不能提交审核：";
  box.querySelector("[data-list]").replaceChildren(...shown.map((g) => Object.assign(document.createElement("li"), { textContent: g.reason })));
  box.dataset.missing = shown.map((g) => g.field).join(" ");
  const submittable = ["draft", "returned"].includes(state.status);
  const button = panel.querySelector("[data-submit-case]");
  button.hidden = !submittable;
  panel.querySelector("[data-submit-state]").textContent = state.status === "submitted" ? (state.case.status === "submitted" ? "已提交审核" : "已提交，待同步") : "";
  button.onclick = async () => {
    const now = await caseState(caseId);
    const lacking = gaps(now.case.type, now.household, now.finances, { declared: now.declarations.length > 0, referred: now.referrals.length > 0 });
    if (lacking.length) {
      panel.querySelector("[data-submit-state]").textContent = "请先补齐上面列出的资料，草稿已保存。";
      box.scrollIntoView({ block: "center" });
      return;
    }
    for (const e of now.rejected) if (e.name === "case.submit") await update(e.id, { state: "discarded" });
    await enqueue("case.submit", { case_id: caseId, expected_status: now.status });
    syncSoon();
  };
}

let changeListeners = [];
function onChange(listener) {
  changeListeners.push(listener);
}
onAnnounce((message) => message?.what !== "progress" && changeListeners.forEach((listener) => listener()));

export async function enhanceCasework(root) {
  changeListeners = [];
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
    enhanceNewCase(form);
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
