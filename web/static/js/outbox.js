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

// Marks a word for the catalogue (this module runs in the service worker too: no i18n.js here).
const N_ = (message) => message;
// The reason kept on an entry set aside because a corrected copy was queued (not shown: the
// outbox lists only open entries; it is there for whoever reads the device's data).
export const resent = (reason) => `${reason || ""} (${N_("已修改重发")})`;

// A rejected or conflicting entry was acknowledged by the server: a correction is a new mutation.
export async function fix(id, args) {
  const entry = await get("outbox", id);
  await update(id, { state: "discarded", reason: resent(entry.reason) });
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

// The server answered that an entry waits for evidence not yet attached (retry, code
// evidence_pending) and kept nothing of it: the entry steps out of line so that it holds up
// nothing. It and every later unacknowledged entry give up their ids, the next entry takes its
// id, and it waits (`waiting`: the evidence ids) until releaseReady puts it back in line.
export async function setAside(entry, result) {
  await tx(["outbox", "meta"], "readwrite", async (s, done) => {
    for (const e of await done(s.outbox.getAll())) {
      if (e.state !== "pending" || e.mutation_id == null || e.mutation_id < entry.mutation_id) continue;
      if (e.id === entry.id) Object.assign(e, { waiting: result.details?.waiting_for || [], reason: result.reason });
      e.mutation_id = null;
      s.outbox.put(e);
    }
    s.meta.put({ key: "next_mutation_id", value: entry.mutation_id });
  });
  announce({ what: "outbox" });
}

// The reason on an answer whose file the worker set aside (uploads.discardFile).
export const FILE_DISCARDED = N_("证据文件已放弃，答复未发送：请重新拍摄证据后再答复");

// Before a push: an entry set aside goes back in line, at its end (behind the evidence.attach of
// its files), once none of its files is still on its way: uploaded, or gone from the device
// because the server attached it. A file the server refused for good, or one the worker set aside
// (`lost`), makes it a rejected entry; one whose attach it rejected waits for the worker's choice.
export async function releaseReady() {
  const released = await tx(["outbox", "media"], "readwrite", async (s, done) => {
    let count = 0;
    for (const e of await done(s.outbox.getAll())) {
      if (e.state !== "pending" || !e.waiting) continue;
      const media = (await Promise.all(e.waiting.map((id) => done(s.media.get(id))))).filter(Boolean);
      // A file not attached (NOT_ATTACHED) may still be, once the worker mends it: the answer waits.
      if (media.some((m) => m.code === NOT_ATTACHED)) continue;
      const failed = media.find((m) => m.state === "failed");
      if (failed) {
        const reason = N_("证据上传失败（{reason}），答复未发送：请重新拍摄证据后再答复").replace("{reason}", failed.reason || N_("服务器拒收"));
        s.outbox.put({ ...e, waiting: null, state: "rejected", reason }); // in Chinese: the page finds it by its pattern (i18n.js)
      } else if (e.waiting.some((id) => e.lost?.includes(id))) {
        s.outbox.put({ ...e, waiting: null, state: "rejected", reason: FILE_DISCARDED });
      } else if (media.every((m) => m.state === "uploaded")) {
        const { id, waiting, ...rest } = e;
        s.outbox.delete(id);
        s.outbox.add({ ...rest, reason: null, timestamp: Date.now() });
      } else continue;
      count++;
    }
    return count;
  });
  if (released) announce({ what: "outbox" });
}

// An evidence.attach the server rejected for another reason than a missing file (the case not
// found or out of the worker's scope, a declared kind the file's content contradicts, …): the file,
// still on the device, is not attached. It carries the rejection (state failed, code NOT_ATTACHED,
// the server's reason and the field at fault) and the outbox page offers what can be done about it
// (views.js); the entry steps aside, so that the file is the one thing left to deal with. Not when
// another attach of the same file is already on its way.
export const NOT_ATTACHED = "not_attached";
// Another attach of the same file, not the entry given, still to be sent.
export const attachOnItsWay = (list, entry) => list.some((e) => e.id !== entry.id && e.name === "evidence.attach" && e.args?.id === entry.args.id && e.state === "pending");
export async function notAttached(entry, result) {
  await tx(["outbox", "media"], "readwrite", async (s, done) => {
    const media = await done(s.media.get(entry.args.id));
    if (media?.state !== "uploaded") return;
    const all = await done(s.outbox.getAll());
    if (attachOnItsWay(all, entry)) return;
    s.media.put({ ...media, state: "failed", code: NOT_ATTACHED, field: result.field || null, reason: result.reason || null });
    const stored = all.find((e) => e.id === entry.id);
    if (stored) s.outbox.put({ ...stored, state: "discarded" });
  });
  announce({ what: "media" });
}

// The server no longer has the file of an evidence.attach (rejected with code upload_missing: e.g.
// removed unattached after DOORSTEP_UNATTACHED_UPLOAD_DAYS while the phone stayed away). While the
// device still holds the file it uploads it again, as a new tus upload, and queues the attach again
// once it is uploaded (uploads.js); the rejected entry steps aside. After MAX_REUPLOADS the file
// counts as refused: the entry stays rejected, and an answer waiting for it is rejected too.
export const MAX_REUPLOADS = 2;
export async function uploadAgain(entry, result) {
  const again = await tx(["outbox", "media"], "readwrite", async (s, done) => {
    const media = await done(s.media.get(entry.args.id));
    if (!media?.blob || media.state !== "uploaded") return false;
    const reuploads = media.reuploads || 0;
    if (reuploads >= MAX_REUPLOADS) {
      s.media.put({ ...media, state: "failed", reason: result.reason });
      return false;
    }
    s.media.put({ ...media, state: "captured", upload_url: null, reuploads: reuploads + 1, reason: N_("服务器已不再保存此文件，将重新上传") });
    const stored = await done(s.outbox.get(entry.id));
    if (stored) s.outbox.put({ ...stored, state: "discarded", reason: resent(result.reason) });
    return true;
  });
  announce({ what: "media" });
  return again;
}
