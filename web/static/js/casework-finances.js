// The household finances of a case (web/templates/field/casework/finances.html): filled from the
// device's copy, saved as `finances.set` with the version it was based on and only the sections
// the worker changed.
import { choose, undecided } from "./conflicts.js";
import { formArgs } from "./forms.js";
import { t } from "./i18n.js";
import { enqueue, resent, update } from "./outbox.js";
import { gaps } from "./casework-rules.js";
import { bool, checkFields, onSubmit, refusals, showErrors, syncSoon, temporarySection, tekunSection, wireCareTier, wireVisibility } from "./casework-form.js";

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
    if (c.kind === "disability" && !["1", "2", "3", "4"].includes(c.detail)) errors.push({ field: `circumstances.${i}.detail`, reason: c.detail ? t("残疾等级不在可选范围内：{value}", { value: c.detail }) : t("请选择残疾等级") });
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
  for (const e of state.rejected) if (e.name === "finances.set") await update(e.id, { state: "discarded", reason: resent(e.reason) });
  // The worker saw the server's values in the form and saved what they want over them: the
  // conflicts of the finances are settled keeping the server's values, after this save.
  for (const conflict of undecided(state.conflicts, "finances")) await choose(conflict, "server");
  syncSoon();
  location.assign(`/field/cases/${caseId}`);
}

export async function enhanceFinances(form, state) {
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

