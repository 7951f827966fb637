// Conflicts on the phone: the pulled conflict records of a case — its own fields, its household's
// and its finances' — each settled by queuing `conflict.resolve` in the outbox (offline too).
// A conflict whose resolution waits in the outbox shows 待同步 until a pull brings it resolved.
import { all, get } from "./db.js";
import { enqueue, entries } from "./outbox.js";

const KINDS = { case: "案件", household: "家庭", finances: "家庭经济状况" };
const FIELDS = { notes: "备注", type: "救助类型", procedure: "办理程序", address: "家庭住址", contact_phone: "联系电话", hukou_type: "户籍类型", members: "家庭成员",
  area: "所属社区", incomes: "收入", assets: "财产", expenses: "支出", circumstances: "特殊情况", tekun: "特困供养", temporary: "临时救助" };
const STATES = { pending: "待同步", done: "已同步", rejected: "被退回" };

// The conflicts of one case the device knows of: the open ones, and those whose resolution the
// outbox still holds (pending, or refused by the server), each with that outbox entry as `queued`.
export async function caseConflicts(caseId, householdId) {
  const queued = new Map();
  for (const e of await entries()) if (e.name === "conflict.resolve" && e.state !== "discarded") queued.set(e.args.conflict_id, e);
  const ofCase = (c) => (c.record_id === caseId && (c.kind === "case" || c.kind === "finances")) || (householdId && c.kind === "household" && c.record_id === householdId);
  return (await all("records", "type", "conflict")).map((r) => r.data).filter(ofCase)
    .map((c) => ({ ...c, queued: queued.get(c.id) || null }))
    .filter((c) => c.status === "open" || ["pending", "rejected"].includes(c.queued?.state))
    .sort((a, b) => a.created_at.localeCompare(b.created_at));
}

// Open and not yet decided on this device: what the forms still mark beside their sections.
export const undecided = (conflicts, kind) => conflicts.filter((c) => c.kind === kind && c.status === "open" && !c.queued);

// Queue the decision: the same choice for every field of the conflict ("device" or "server").
export function choose(conflict, choice) {
  const choices = Object.fromEntries(Object.keys(conflict.fields).map((field) => [field, choice]));
  return enqueue("conflict.resolve", { conflict_id: conflict.id, choices });
}

// Identity numbers as the case page shows them: the first 6 and the last 4 characters.
const masked = (id) => (id.length > 10 ? `${id.slice(0, 6)}${"*".repeat(id.length - 10)}${id.slice(-4)}` : id);

export function shown(value) {
  if (value === null || value === undefined || value === "") return "（空）";
  if (typeof value === "boolean") return value ? "是" : "否";
  if (typeof value !== "object") return String(value);
  if (Array.isArray(value)) return value.length ? value.map(shown).join("；") : "（无）";
  return Object.entries(value).filter(([, v]) => v !== "" && v !== null && v !== undefined)
    .map(([k, v]) => (k === "id_number" ? masked(String(v)) : shown(v))).join(" ");
}

function clone(id, slots) {
  const node = document.getElementById(id).content.firstElementChild.cloneNode(true);
  for (const el of node.querySelectorAll("[data-slot]")) if (slots[el.dataset.slot] != null) el.textContent = slots[el.dataset.slot];
  return node;
}

function item(conflict, refresh) {
  const li = clone("tpl-conflict", { kind: KINDS[conflict.kind] || conflict.kind });
  li.dataset.conflictId = conflict.id;
  const entry = conflict.queued;
  li.dataset.state = entry ? entry.state : "open";
  const badge = li.querySelector("[data-slot=state]");
  Object.assign(badge, { hidden: !entry, textContent: entry ? STATES[entry.state] || entry.state : "" });
  const reason = li.querySelector("[data-slot=reason]");
  Object.assign(reason, { hidden: entry?.state !== "rejected", textContent: entry?.state === "rejected" ? `服务器退回：${entry.reason || ""}` : "" });
  li.querySelector("[data-conflict-fields]").replaceChildren(...Object.entries(conflict.fields).map(([field, values]) =>
    clone("tpl-conflict-field", { field: FIELDS[field] || field, device: shown(values.device), server: shown(values.server) })));
  if (entry) li.querySelector("[data-conflict-actions]").remove(); // decided: only the state is shown
  for (const button of li.querySelectorAll("[data-choose]")) {
    button.onclick = async () => {
      li.querySelectorAll("[data-choose]").forEach((b) => { b.disabled = true; });
      await choose(conflict, button.dataset.choose);
      document.dispatchEvent(new Event("doorstep:sync"));
      await refresh();
    };
  }
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
