// Conflicts on the phone: the pulled conflict records of a case — its own fields, its household's
// and its finances' — each settled by queuing `conflict.resolve` in the outbox (offline too), with
// one choice per field ("device" or "server"), as on the supervisor's case page.
// A conflict whose resolution waits in the outbox shows 待同步 until a pull brings it resolved.
import { all, get } from "./db.js";
import { enqueue, entries, fix } from "./outbox.js";
import { N_, t } from "./i18n.js";

// The words this module shows of its own, marked N_ here and translated by t() where shown. What a
// conflict's kinds, fields and codes are called comes from the server's one table, in the page's
// language (server/sync_api/conflict_words.py, the `field-labels` JSON of every field page).
export const CONFLICT_LABELS = {
  states: { pending: N_("待同步"), done: N_("已同步"), rejected: N_("被退回") },
  refused: N_("服务器退回：{reason}"),
  empty: N_("（空）"),
  none: N_("（无）"),
  yes: N_("是"),
  no: N_("否"),
};
const L = CONFLICT_LABELS;

// The conflicts of one case the device knows of: the open ones, and those whose resolution the
// outbox still holds (pending, or refused by the server), each with that outbox entry as `queued`.
// A resolution the server answered `conflict` (a device value chosen over a server value that had
// changed again: nothing written) decides nothing: its conflict is open again, as `stale` with
// that entry, showing the current values the answer brought (or a later pull).
export async function caseConflicts(caseId, householdId) {
  const queued = new Map();
  for (const e of await entries()) if (e.name === "conflict.resolve" && e.state !== "discarded") queued.set(e.args.conflict_id, e);
  const ofCase = (c) => (c.record_id === caseId && (c.kind === "case" || c.kind === "finances")) || (householdId && c.kind === "household" && c.record_id === householdId);
  return (await all("records", "type", "conflict")).map((r) => r.data).filter(ofCase)
    .map((c) => withEntry(c, queued.get(c.id)))
    .filter((c) => c.status === "open" || ["pending", "rejected"].includes(c.queued?.state))
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

function withEntry(conflict, entry) {
  if (entry?.state !== "conflict") return { ...conflict, queued: entry || null, stale: null };
  const fresh = entry.result?.conflict;
  const newer = fresh && fresh.server_version > conflict.server_version ? { fields: fresh.fields, server_version: fresh.server_version } : {};
  return { ...conflict, ...newer, queued: null, stale: entry };
}

// Open and not yet decided on this device: what the forms still mark beside their sections.
export const undecided = (conflicts, kind) => conflicts.filter((c) => c.kind === kind && c.status === "open" && !c.queued);

// Queue the decision: {field: "device" | "server"} for every field of the conflict; a decision
// taken again after the server found the values changed sets the answered one aside.
export function resolve(conflict, choices) {
  const args = { conflict_id: conflict.id, choices };
  return conflict.stale ? fix(conflict.stale.id, args) : enqueue("conflict.resolve", args);
}

// The same choice for every field (the finances page, saving again over a conflict, keeps the server's).
export function choose(conflict, choice) {
  return resolve(conflict, Object.fromEntries(Object.keys(conflict.fields).map((field) => [field, choice])));
}

// Identity numbers as the case page shows them: the first 6 and the last 4 characters.
const masked = (id) => (id.length > 10 ? `${id.slice(0, 6)}${"*".repeat(id.length - 10)}${id.slice(-4)}` : id);

// The server's words for conflicts ({kinds, fields, values, answers}), from the page shown now.
const serverWords = () => JSON.parse(document.getElementById("field-labels")?.textContent || "{}").conflicts || {};
const named = (table, code) => serverWords()[table]?.[code] ?? code;
// The words for the codes of a field's values (工资性收入 for `wage`), by field; and its yes/no
// answers held under a code, each with its name (吃饭：能 for `eating: true`), by field.
const valueWords = (name) => serverWords().values?.[name] || {};
const answerWords = (name) => serverWords().answers?.[name] || {};

export function shown(value, words = {}, answers = {}) {
  if (value === null || value === undefined || value === "") return t(L.empty);
  if (typeof value === "boolean") return t(value ? L.yes : L.no);
  if (typeof value !== "object") return Object.hasOwn(words, value) ? words[value] : String(value);
  if (Array.isArray(value)) return value.length ? value.map((v) => shown(v, words, answers)).join(t("；")) : t(L.none);
  const entries = Object.entries(value).filter(([, v]) => v !== "" && v !== null && v !== undefined);
  const answered = ([k, v]) => typeof v === "boolean" && Object.hasOwn(answers, k);
  // Only named answers (the daily activities): a list in the form's order; else side by side.
  const listed = entries.length > 0 && entries.every(answered);
  const order = Object.keys(answers);
  if (listed) entries.sort(([a], [b]) => order.indexOf(a) - order.indexOf(b));
  return entries.map(([k, v]) => (answered([k, v]) ? answers[k][String(v)] : k === "id_number" ? masked(String(v)) : shown(v, words, answers)))
    .join(listed ? t("；") : " ");
}

function clone(id, slots) {
  const node = document.getElementById(id).content.firstElementChild.cloneNode(true);
  for (const el of node.querySelectorAll("[data-slot]")) if (slots[el.dataset.slot] != null) el.textContent = slots[el.dataset.slot];
  return node;
}

// Choices picked but not yet queued, by conflict id: the list is drawn again whenever the
// device's data changes (a sync, a pull), which must not undo what the worker picked meanwhile.
const drafts = new Map();

// One field: its two values as radio buttons; a decided conflict shows the choice it queued.
function field(conflict, name, values, queued) {
  const node = clone("tpl-conflict-field", { field: named("fields", name), device: shown(values.device, valueWords(name), answerWords(name)), server: shown(values.server, valueWords(name), answerWords(name)) });
  node.dataset.field = name;
  const inputs = [...node.querySelectorAll("input[type=radio]")];
  // Names first: naming a checked radio unchecks the others of its group.
  for (const input of inputs) input.name = `choice:${conflict.id}:${name}`;
  const chosen = (queued || drafts.get(conflict.id) || {})[name];
  for (const input of inputs) {
    if (chosen) input.checked = chosen === input.value;
    input.disabled = Boolean(queued);
    input.onchange = () => drafts.set(conflict.id, { ...drafts.get(conflict.id), [name]: input.value });
  }
  return node;
}

function item(conflict, refresh) {
  const li = clone("tpl-conflict", { kind: named("kinds", conflict.kind) });
  li.dataset.conflictId = conflict.id;
  const entry = conflict.queued;
  li.dataset.state = entry ? entry.state : "open";
  const badge = li.querySelector("[data-slot=state]");
  Object.assign(badge, { hidden: !entry, textContent: entry ? (L.states[entry.state] ? t(L.states[entry.state]) : entry.state) : "" });
  const reason = li.querySelector("[data-slot=reason]");
  // Refused; or answered that the server's value had changed again (its reason is in the answer's result).
  const translated = (text) => (text ? t(text) : ""); // no literal "" in t(): the catalogue's header
  const said = entry?.state === "rejected" ? t(L.refused, { reason: translated(entry.reason) })
    : conflict.stale ? translated(conflict.stale.result?.result?.reason || conflict.stale.reason) : "";
  Object.assign(reason, { hidden: !said, textContent: said });
  if (conflict.stale) li.dataset.state = "stale";
  li.querySelector("[data-conflict-fields]").replaceChildren(...Object.entries(conflict.fields).map(([name, values]) =>
    field(conflict, name, values, entry?.args.choices)));
  const form = li.querySelector("[data-conflict-form]");
  if (entry) li.querySelector("[data-conflict-actions]").remove(); // decided: only the state and the choices are shown
  form.onsubmit = async (event) => {
    event.preventDefault();
    if (entry) return;
    form.querySelector("[type=submit]").disabled = true;
    const choices = Object.fromEntries([...form.querySelectorAll("[data-conflict-field]")].map((set) =>
      [set.dataset.field, set.querySelector("input:checked")?.value]));
    await resolve(conflict, choices);
    drafts.delete(conflict.id);
    document.dispatchEvent(new Event("doorstep:sync"));
    await refresh();
  };
  return li;
}

// The case page's list (web/templates/field/partials/conflicts.html), from the device's records.
export async function renderConflicts(root, caseId) {
  const section = root.querySelector("[data-conflicts]");
  if (!section || !caseId) return;
  const kase = (await get("records", `case:${caseId}`))?.data;
  const render = async () => {
    const conflicts = await caseConflicts(caseId, kase?.household_id);
    section.hidden = !conflicts.length;
    section.querySelector("[data-conflict-list]").replaceChildren(...conflicts.map((c) => item(c, render)));
  };
  await render();
}
