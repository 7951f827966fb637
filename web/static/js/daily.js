// The daily check (每日一报) on the phone. The roster and today's checks come from IndexedDB
// (pulled as records of kind "watch" and "dailycheck") and from the outbox (checks saved on this
// device), so the list and each person's screen work offline. Saving goes through forms.js: the
// form is marked data-offline="dailycheck.record"; this module only fills in the day, the time
// and, for "全部正常", the normal answers, just before forms.js turns the form into a mutation.
import { all, onAnnounce } from "./db.js";
import { t } from "./i18n.js";
import { entries, isoLocal } from "./outbox.js";
import { PAGES_CACHE } from "./sync-client.js";

const PAGES = ["/field/daily", "/field/daily/check"];
const labels = () => JSON.parse(document.getElementById("daily-labels")?.textContent || "{}");
const isKind = (record, kind) => record.type === kind || record.data?.kind === kind;
const today = () => isoLocal().slice(0, 10);

// The roster held on the device, and today's state of each person: checked, pending or rejected.
async function deviceState() {
  const records = await all("records");
  const roster = records.filter((r) => isKind(r, "watch")).map((r) => r.data);
  const day = today();
  const checks = new Map();
  for (const r of records) if (isKind(r, "dailycheck") && r.data.date === day) checks.set(r.data.person_id, { state: "checked", data: r.data });
  for (const e of await entries()) {
    if (e.name !== "dailycheck.record" || e.state === "discarded" || (e.args.date || e.created_at.slice(0, 10)) !== day) continue;
    if (e.state === "done") {
      if (!checks.has(e.args.person_id)) checks.set(e.args.person_id, { state: "checked", data: e.args });
    } else {
      checks.set(e.args.person_id, { state: e.state === "pending" ? "pending" : "rejected", data: e.args, reason: e.reason });
    }
  }
  return { roster, checks };
}

function detail(person) {
  const L = labels();
  const reasons = (person.reasons || []).map((r) => L.reasons?.[r] || r).join(t("、"));
  const age = person.age === null || person.age === undefined ? "" : ` · ${(L.age || "%(age)s").replace("%(age)s", person.age)}`;
  return `${reasons}${age} · ${person.address || ""}`;
}

function stateLabel(check) {
  const L = labels();
  if (!check) return L.unchecked;
  if (check.state === "pending") return L.pending;
  if (check.state === "rejected") return check.reason || L.rejected;
  return (check.data?.needs || []).length ? `${L.checked} · ${L.needs_flag}` : L.checked;
}

function item(person, check) {
  const li = document.createElement("li");
  li.className = "daily-person";
  li.dataset.personId = person.person_id;
  li.dataset.state = check ? check.state : "unchecked";
  const link = Object.assign(document.createElement("a"), { href: `/field/daily/check?person=${person.person_id}` });
  link.setAttribute("hx-boost", "false");
  const badge = Object.assign(document.createElement("span"), { className: "badge", textContent: stateLabel(check) });
  badge.dataset.slot = "state";
  const name = Object.assign(document.createElement("b"), { textContent: person.name });
  name.dataset.slot = "name";
  const line = Object.assign(document.createElement("span"), { className: "muted block", textContent: detail(person) });
  link.append(badge, " ", name, line);
  li.append(link);
  return li;
}

async function renderList(list) {
  const { roster, checks } = await deviceState();
  if (roster.length) {
    // The device's roster is the one to show: it is there offline and after every pull.
    const sorted = [...roster].sort((a, b) => Boolean(checks.get(a.person_id)) - Boolean(checks.get(b.person_id))
      || (a.area || "").localeCompare(b.area || "") || a.name.localeCompare(b.name, "zh"));
    list.replaceChildren(...sorted.map((p) => item(p, checks.get(p.person_id))));
  } else {
    for (const li of list.querySelectorAll("[data-person-id]")) {
      const check = checks.get(li.dataset.personId);
      if (!check) continue;
      li.dataset.state = check.state;
      li.querySelector("[data-slot=state]").textContent = stateLabel(check);
    }
  }
  const items = [...list.querySelectorAll("[data-person-id]")];
  document.querySelector("[data-count-total]").textContent = items.length;
  document.querySelector("[data-count-checked]").textContent = items.filter((li) => li.dataset.state !== "unchecked").length;
}

async function renderPerson(box) {
  const id = new URLSearchParams(location.search).get("person");
  const { roster, checks } = await deviceState();
  const person = roster.find((p) => p.person_id === id);
  if (person) {
    box.querySelector("[data-slot=name]").textContent = person.name;
    const line = box.querySelector("[data-slot=detail]");
    if (line) line.textContent = detail(person);
  } else if (box.dataset.serverPerson !== id) {
    // A cached screen of another person: show nothing of theirs.
    box.querySelector("[data-slot=name]").textContent = "—";
    box.querySelector("[data-slot=detail]")?.remove();
    box.querySelector("[data-slot-phone]")?.remove();
    box.querySelector("[data-missing]").hidden = false;
  }
  box.querySelector("[data-already]").hidden = !checks.has(id);
}

// Runs before forms.js's own submit handler (capture phase on the document).
function beforeSave(event) {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || form.dataset.offline !== "dailycheck.record") return;
  const allWell = Boolean(event.submitter?.hasAttribute("data-all-well"));
  form.elements.date.value = today();
  form.elements.checked_at.value = isoLocal();
  form.elements.all_well.value = allWell ? "true" : "false";
  if (allWell) {
    form.querySelector("[name=living_status][value=home]").checked = true;
    form.querySelector("[name=health][value=stable]").checked = true;
    for (const box of form.querySelectorAll("input[type=checkbox][name^='needs.']")) box.checked = false;
    form.elements.needs_other.value = "";
  }
}

// Keep both pages in the service worker's page cache, so that they open offline.
async function cacheShell() {
  if (typeof caches === "undefined" || !navigator.onLine) return;
  const cache = await caches.open(PAGES_CACHE);
  for (const url of PAGES) {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await cache.put(url, response);
    } catch {
      return;
    }
  }
}

async function render() {
  const list = document.querySelector("[data-daily-list]");
  if (list) await renderList(list);
  const box = document.querySelector("[data-daily-person]");
  if (box) await renderPerson(box);
}

document.addEventListener("submit", beforeSave, true);
document.addEventListener("htmx:afterSettle", render);
onAnnounce(() => render());
await render();
cacheShell();
