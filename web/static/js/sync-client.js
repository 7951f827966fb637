// The sync client: push the outbox in order, pull changes into IndexedDB, cache the case pages.
// Runs in pages and in the service worker (Background Sync), so it touches no DOM; the uploads
// (uploads.js uploadAll) are handed in by both, so that this module loads no tus-js-client.
import { all, announce, getMeta, put, setMeta, tx } from "./db.js";
import { isoLocal, notAttached, prune, releaseReady, setAside, uploadAgain } from "./outbox.js";

export const PAGES_CACHE = "doorstep-pages";
// Pages refreshed after every pull, so that they open offline. Shell pages are precached by sw.js.
export const APP_PAGES = ["/", "/field", "/field/households/new", "/field/visit", "/field/capture", "/field/paperwork", "/field/daily", "/field/daily/check", "/field/tasks",
  "/field/casework/new", "/field/casework/finances", "/field/casework/declaration", "/field/casework/referral"];
const BATCH = 100;
const ACKED = { applied: "done", duplicate: "done", rejected: "rejected", conflict: "conflict" };
// Marks a word for the catalogue. This module runs in the service worker too, so it cannot import
// i18n.js (top-level await): it keeps the Chinese, and the page translates it where it shows it.
const N_ = (message) => message;

export class SyncError extends Error {
  constructor(kind, message, params = {}) {
    super(message);
    this.kind = kind;
    this.params = params;
  }
}

export function clientId() {
  return tx("meta", "readwrite", async (s, done) => {
    const row = await done(s.meta.get("client_id"));
    if (row) return row.value;
    const id = crypto.randomUUID();
    s.meta.put({ key: "client_id", value: id });
    return id;
  });
}

// Number the pending entries that have no mutation id yet (in outbox order, one apart, no gaps;
// not those set aside, see outbox.js) and return the next batch to push, oldest mutation first.
function nextBatch() {
  return tx(["outbox", "meta"], "readwrite", async (s, done) => {
    const list = await done(s.outbox.getAll());
    let next = (await done(s.meta.get("next_mutation_id")))?.value ?? 1;
    for (const e of list) {
      if (e.state === "pending" && e.mutation_id == null && !e.waiting) {
        e.mutation_id = next++;
        s.outbox.put(e);
      }
    }
    s.meta.put({ key: "next_mutation_id", value: next });
    return list.filter((e) => e.state === "pending" && e.mutation_id != null).sort((a, b) => a.mutation_id - b.mutation_id).slice(0, BATCH);
  });
}

// The server lost what came after `last` (a restore): send every later entry again, with the
// same ids (acknowledged entries are kept a while for this). Answers how many go again.
function resendAfter(last) {
  return tx("outbox", "readwrite", async (s, done) => {
    let count = 0;
    for (const e of await done(s.outbox.getAll())) {
      if (e.mutation_id > last && e.state !== "pending") {
        e.state = "pending";
        s.outbox.put(e);
        count++;
      }
    }
    return count;
  });
}

// Before pushing: has the server come back from a backup (a new epoch)? Then re-push, with their
// ids, what it no longer has — before anything newer, so that no id is skipped — and pull anew.
async function checkEpoch(csrf) {
  const query = new URLSearchParams({ limit: "1", client_id: await clientId() });
  const cursor = await getMeta("cursor");
  if (cursor) query.set("cursor", cursor);
  const { response, body } = await call(`/api/sync/pull?${query}`, {}, csrf);
  if (!response.ok || !body.epoch) return;
  const known = await getMeta("epoch");
  if (known && known !== body.epoch) {
    await resendAfter(body.last_mutation_id ?? 0);
    await setMeta("cursor", null);
  }
  await setMeta("epoch", body.epoch);
}

// This browser's CSRF token, as the server answers it (server/accounts/csrf.py): the service worker
// cannot read the cookie, and the copy a page kept in IndexedDB is stale once a browser restart
// has dropped the session cookie "csrftoken" (the server then sets a new one with this answer).
// Kept for the next sync; null when the server cannot be asked (offline, signed out).
export async function csrfFromServer() {
  try {
    const response = await fetch("/api/csrf-token", { credentials: "same-origin", cache: "no-store" });
    const token = response.ok ? (await response.json()).token : null;
    if (token) await setMeta("csrf", token);
    return token || null;
  } catch {
    return null;
  }
}

// `csrf` is the sync's token holder ({ token }): a write refused with 403 asks the server for this
// browser's token once in the sync and is sent again with it; later calls use the new one. A 403
// for another reason (a handler's) comes back the same and is reported as it was.
async function call(url, init, csrf) {
  const send = () => fetch(url, { credentials: "same-origin", ...init, headers: { "x-csrftoken": csrf.token || "", ...init?.headers } });
  let response;
  try {
    response = await send();
    if (response.status === 403 && init?.method && !csrf.renewed) {
      csrf.renewed = true;
      const token = await csrfFromServer();
      if (token && token !== csrf.token) {
        csrf.token = token;
        response = await send();
      }
    }
  } catch {
    throw new SyncError("network", N_("无法连接服务器，稍后自动重试。"));
  }
  const body = await response.json().catch(() => ({}));
  if (response.status === 401) throw new SyncError("auth", N_("登录已过期：请用通行密钥重新登录，待同步的记录会保留。"));
  if (response.status === 403) throw new SyncError("forbidden", body.reason || N_("请求被拒绝（403），请重新打开应用。"));
  return { response, body };
}

// Settle an acknowledged entry; answers true when its file is to be uploaded again.
async function settle(entry, result) {
  const state = ACKED[result.status];
  entry.state = state;
  entry.reason = result.reason || (state === "conflict" ? N_("与服务器上的修改冲突，请核对") : null);
  entry.result = result;
  await put("outbox", entry);
  if (entry.name !== "evidence.attach") return false;
  // The server verified and attached the evidence: the device may let the Blob go.
  if (state === "done") await tx("media", "readwrite", (s) => s.media.delete(entry.args.id));
  if (state !== "rejected") return false;
  // The server no longer has the file (e.g. removed unattached): upload it again, attach again.
  if (result.details?.code === "upload_missing") return uploadAgain(entry, result);
  await notAttached(entry, result); // refused for another reason: the file says so, and why
  return false;
}

// Push the outbox; answers how many files are to be uploaded again (see settle).
export async function push(csrf) {
  const client_id = await clientId();
  let reupload = 0;
  await releaseReady(); // answers set aside for their evidence, once its files are uploaded
  for (let round = 0; round < 1000; round++) {
    const batch = await nextBatch();
    if (!batch.length) return reupload;
    const mutations = batch.map((e) => ({ id: e.mutation_id, name: e.name, args: e.args, base_version: e.base_version ?? null, created_at: e.created_at }));
    const { response, body } = await call("/api/sync/push", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ client_id, mutations }) }, csrf);
    if (!response.ok) throw new SyncError("server", body.reason || N_("服务器错误 ({status})"), { status: response.status });
    const results = new Map((body.results || []).map((r) => [r.id, r]));
    for (const entry of batch) {
      const result = results.get(entry.mutation_id);
      if (result?.status === "gap") {
        // The server expects an earlier id than this device sends: send from there again.
        if (!(await resendAfter(result.expected_id - 1))) throw new SyncError("gap", result.reason);
        break;
      }
      if (result?.status === "duplicate" && result.original_status) result.status = result.original_status;
      if (result?.status === "retry" && result.code === "evidence_pending" && body.last_mutation_id === entry.mutation_id - 1) {
        // It waits for evidence still on its way: set it aside, push what comes after it.
        await setAside(entry, result);
        break;
      }
      if (!result || !ACKED[result.status]) {
        // retry (e.g. an upload not finished) or unanswered: it stays first in line.
        if (result?.reason) await put("outbox", { ...entry, reason: result.reason });
        announce({ what: "outbox" });
        return reupload;
      }
      if (await settle(entry, result)) reupload++;
    }
    announce({ what: "outbox" });
  }
  return reupload;
}

function changeOf(c) {
  const type = c.kind || c.type;
  const id = String(c.id);
  return { key: `${type}:${id}`, type, id, deleted: c.op === "delete", data: c.data || {} };
}

export async function pull(csrf) {
  const changedCases = new Set();
  let cursor = await getMeta("cursor");
  for (let page = 0; page < 1000; page++) {
    const query = new URLSearchParams({ limit: "500", client_id: await clientId() });
    if (cursor) query.set("cursor", cursor);
    const { response, body } = await call(`/api/sync/pull?${query}`, {}, csrf);
    if (!response.ok) throw new SyncError("server", body.reason || N_("服务器错误 ({status})"), { status: response.status });
    if (body.epoch_changed) {
      await resendAfter(body.last_mutation_id ?? 0); // restored meanwhile: the next push sends them
      await setMeta("epoch", body.epoch);
    }
    const changes = (body.changes || []).map(changeOf);
    await tx("records", "readwrite", (s) => {
      if (body.reset) s.records.clear(); // start over: the records, never the outbox
      for (const c of changes) {
        if (c.deleted) s.records.delete(c.key);
        else s.records.put({ key: c.key, type: c.type, id: c.id, data: c.data });
      }
    });
    for (const c of changes) if (c.type === "case" && !c.deleted) changedCases.add(c.id);
    cursor = body.cursor ?? cursor;
    await setMeta("cursor", cursor);
    if (Number.isInteger(body.last_mutation_id)) await setMeta("server_last_mutation_id", body.last_mutation_id);
    if (!body.has_more) break;
  }
  return changedCases;
}

// A response read to its end before it goes into the cache: a body cut off by a lost network
// must not replace (and so lose) the page cached before.
export async function whole(response) {
  const body = await response.blob();
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

// Keep every case page of the caseload in the cache: refresh the changed ones, add the missing.
export async function cachePages(changedCases) {
  if (typeof caches === "undefined") return;
  const cache = await caches.open(PAGES_CACHE);
  const cases = (await all("records", "type")).filter((r) => r.type === "case").map((r) => r.id);
  const urls = [...APP_PAGES];
  for (const id of cases) {
    const url = `/field/cases/${id}`;
    if (changedCases.has(id) || !(await cache.match(url))) urls.push(url);
  }
  // Deferred paperwork: the signing page of every open obligation, refreshed after each pull;
  // the page of one signed or waived meanwhile leaves the cache rather than offer to sign again.
  for (const r of (await all("records", "type")).filter((r) => r.type === "obligation")) {
    const url = `/field/paperwork/${r.id}`;
    if (r.data?.status === "pending") urls.push(url);
    else await cache.delete(url);
  }
  // Tasks from supervisors (退回补充): the page of every open one; an answered one leaves the cache.
  for (const r of (await all("records", "type")).filter((r) => r.type === "task")) {
    const url = `/field/tasks/${r.id}`;
    if (r.data?.status === "open") urls.push(url);
    else await cache.delete(url);
  }
  for (const url of urls) {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok && !response.redirected) await cache.put(url, await whole(response));
    } catch {
      return; // the network went away: keep what is cached
    }
  }
}

// One sync at a time across pages and the service worker (Web Locks where available).
const locked = (work) => (typeof navigator !== "undefined" && navigator.locks ? navigator.locks.request("doorstep-sync", work) : work());
let running = null;
let again = null;

export function syncNow(options = {}) {
  if (running) return (again ??= running.then(() => { again = null; return syncNow(options); }));
  running = locked(() => run(options)).finally(() => { running = null; });
  return running;
}

async function run({ csrf: token, uploads } = {}) {
  if (typeof navigator !== "undefined" && navigator.onLine === false) return { ok: false, offline: true };
  // A page reads the token from the cookie. The service worker cannot, nor tell whether the copy in
  // IndexedDB still matches it (a browser restart drops the cookie): it asks the server first, so
  // that the uploads, which a 403 only postpones to the next sync, carry a token that matches.
  const csrf = { token: token || (await csrfFromServer()) || (await getMeta("csrf")) };
  let changed = new Set();
  let failure = null;
  try {
    await checkEpoch(csrf);
    if (uploads) await uploads(csrf.token);
    if ((await push(csrf)) && uploads) {
      await uploads(csrf.token); // files the server no longer had: upload them again and attach them
      await push(csrf);
    }
    changed = await pull(csrf);
  } catch (error) {
    failure = error;
  }
  try {
    await cachePages(changed); // whatever happened, keep the app's pages fresh for offline use
    if (failure) throw failure;
    await setMeta("last_sync", isoLocal());
    await setMeta("last_error", null);
    await prune();
    return { ok: true };
  } catch (error) {
    await setMeta("last_error", { kind: error.kind || "error", message: error.message, params: error.params || {}, at: isoLocal() });
    return { ok: false, error };
  } finally {
    announce({ what: "sync" });
  }
}
