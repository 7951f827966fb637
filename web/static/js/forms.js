// Forms marked `data-offline="<mutation name>"` are saved to the outbox instead of posted:
// the same path online and offline. Field names with dots build nested arguments
// ("members.0.name" → {members: [{name}]}); datetime-local values get the device's UTC offset.
// Names starting with "_" (CSRF token, next page) belong to the plain-form post (server/field/forms.py).
import { enqueue, isoLocal } from "./outbox.js";

function assign(target, path, value) {
  const [head, ...rest] = path;
  const key = /^\d+$/.test(head) ? Number(head) : head;
  if (!rest.length) {
    target[key] = value;
    return;
  }
  target[key] ??= /^\d+$/.test(rest[0]) ? [] : {};
  assign(target[key], rest, value);
}

// Array items left blank (a member row with no name, an empty investigator) are dropped.
function compact(value) {
  if (Array.isArray(value)) {
    return value.filter((v) => v !== undefined && v !== "" && !(v && typeof v === "object" && "name" in v && !v.name)).map(compact);
  }
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compact(v)]));
  return value;
}

export function formArgs(form) {
  const args = {};
  for (const el of form.elements) {
    if (!el.name || el.name.startsWith("_") || el.disabled || ((el.type === "radio" || el.type === "checkbox") && !el.checked)) continue;
    let value = el.value.trim();
    if (el.type === "datetime-local" && value) value = isoLocal(new Date(value));
    assign(args, el.name.split("."), value);
  }
  return compact(args);
}

export function prepareForm(form) {
  const query = new URLSearchParams(location.search);
  for (const el of form.querySelectorAll("[data-from-query]")) {
    const value = query.get(el.dataset.fromQuery);
    if (value) el.value = value;
  }
  for (const el of form.querySelectorAll("[data-default-now]")) {
    if (!el.value) el.value = isoLocal().slice(0, 16);
  }
}

export function enhanceForms(root, afterSave) {
  for (const form of root.querySelectorAll("form[data-offline]:not([data-enhanced])")) {
    form.dataset.enhanced = "1";
    prepareForm(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      for (const el of form.querySelectorAll("[data-uuid]")) el.value ||= crypto.randomUUID();
      const args = formArgs(form);
      form.querySelector("[type=submit]").disabled = true;
      await enqueue(form.dataset.offline, args);
      await afterSave?.();
      const next = (form.dataset.next || "/field").replace(/\{(\w+)\}/g, (_, key) => encodeURIComponent(args[key] ?? ""));
      location.assign(next);
    });
  }
}
