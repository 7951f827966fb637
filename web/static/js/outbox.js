// The outbox: every field action is written here first, online or not, and pushed in order.
// States: pending (to push) → done (acknowledged), or rejected / conflict (kept for a person),
// discarded (set aside by a person). Acknowledged entries are kept a while so that they can be
// pushed again if the server comes back from a backup (a new epoch).
import { all, announce, get, put, tx } from "./db.js";

export const OPEN = ["pending", "rejected", "conflict"];
const KEEP_DONE_MS = 14 * 24 * 3600 * 1000;

// The local time with its UTC offset, e.g. 2026-05-23T09:14:00+08:00.
export function isoLocal(date = new Date()) {
  const pad = (n) => String(Math.abs(n)).padStart(2, "0");
  const offset = -date.getTimezoneOffset();
  const local = new Date(date.getTime() + offset * 60000).toISOString().slice(0, 19);
  return `${local}${offset >= 0 ? "+" : "-"}${pad(offset / 60 | 0)}:${pad(offset % 60)}`;
}

export async function enqueue(name, args, extra = {}) {
  const entry = { name, args, created_at: isoLocal(), timestamp: Date.now(), state: "pending", mutation_id: null, reason: null, ...extra };
  entry.id = await put("outbox", entry);
  announce({ what: "outbox" });
  return entry;
}

export const entries = () => all("outbox");
export const open = async () => (await entries()).filter((e) => OPEN.includes(e.state));
export const pendingCount = async () => (await entries()).filter((e) => e.state === "pending").length;

export async function update(id, changes) {
  const entry = await get("outbox", id);
  if (!entry) return null;
  Object.assign(entry, changes);
  await put("outbox", entry);
  announce({ what: "outbox" });
  return entry;
}

// A rejected or conflicting entry was acknowledged by the server: a correction is a new mutation.
export async function fix(id, args) {
  const entry = await get("outbox", id);
  await update(id, { state: "discarded", reason: `${entry.reason || ""} (已修改重发)` });
  return enqueue(entry.name, args);
}

// Only what the server has acknowledged, or what was never numbered, may be set aside:
// a numbered, unacknowledged entry must still be sent, or the server would see a gap.
export async function discard(id) {
  const entry = await get("outbox", id);
  if (entry && (entry.state !== "pending" || entry.mutation_id == null)) await update(id, { state: "discarded" });
}

export async function prune() {
  const old = Date.now() - KEEP_DONE_MS;
  await tx("outbox", "readwrite", async (s, done) => {
    for (const e of await done(s.outbox.getAll())) {
      if ((e.state === "done" || e.state === "discarded") && e.timestamp < old) s.outbox.delete(e.id);
    }
  });
}
