// Evidence uploads with tus (resumable): the upload URL is kept in IndexedDB, so after a network
// loss or an app restart the upload resumes from the server's offset, never from zero. When the
// server has the whole file (verified against the SHA-256 taken at capture), the evidence.attach
// mutation joins the outbox. Runs in pages and in the service worker (Background Sync, sw.js), so
// it touches no DOM outside loadTus.
import { all, announce, get, getMeta, put, tx } from "./db.js";
import { attachOnItsWay, FILE_DISCARDED, NOT_ATTACHED } from "./outbox.js";
import { sha256 } from "./sha256.js";
import { FetchHttpStack } from "./tus-fetch.js";

const TUS_SRC = "/static/vendor/tus-js-client-4.3.1.min.js";
const CHUNK = 2 * 1024 * 1024;
export const LARGE_VIDEO = 20 * 1024 * 1024;
export const progress = new Map(); // media id → {sent, total}, for the progress bars
// Evidence captured on a task's page is remembered under this meta key and the task's id (tasks.js).
export const TASK_EVIDENCE = "task-evidence:";
// The upload URLs the server is to end (endDiscardedUploads): those of files set aside, and the
// refused ones of files sent again.
const TO_END = "uploads-to-end";
// Marks a word for the catalogue. The service worker runs this module, so it cannot import i18n.js
// (top-level await): a reason kept on a file is Chinese, translated where it is shown.
const N_ = (message) => message;

let loading = null;
function loadTus() {
  // The service worker has no document, and may not import() later: it imports tus-js-client
  // with its own modules (sw.js), which puts it on self.
  if (typeof document === "undefined") return Promise.resolve(self.tus);
  // In a page, tus-js-client is loaded only when there is something to upload: it is not in the first load.
  loading ??= new Promise((resolve, reject) => {
    const script = Object.assign(document.createElement("script"), { src: TUS_SRC });
    script.onload = () => resolve(window.tus);
    // The error's words are shown by the sync bar (status.js), translated there.
    script.onerror = () => { loading = null; reject(new Error(N_("无法加载上传组件"))); };
    document.head.append(script);
  });
  return loading;
}

// Where the browser reports the connection type, large videos may wait for Wi-Fi.
export function waitsForWifi(media, wifiOnly) {
  const type = navigator.connection?.type;
  return wifiOnly && media.kind === "video" && media.size > LARGE_VIDEO && type !== undefined && !["wifi", "ethernet"].includes(type);
}

async function save(id, changes) {
  const media = await get("media", id);
  if (!media) return null;
  Object.assign(media, changes);
  await put("media", media);
  return media;
}

// The file is on the server: it waits for its attach (待确认), queued at the end of the outbox.
function queueAttach(s, row) {
  s.media.put({ ...row, state: "uploaded" });
  const args = { id: row.id, case_id: row.case_id, sha256: row.sha256, kind: row.kind, captured_at: row.captured_at, device: row.device, location: row.location, note: row.note };
  s.outbox.add({ name: "evidence.attach", args, created_at: row.captured_at, timestamp: Date.now(), state: "pending", mutation_id: null, reason: null });
}

// The upload is complete and verified: record it and queue the attach mutation, in one transaction.
function finished(media) {
  return tx(["media", "outbox"], "readwrite", async (s, done) => {
    const row = await done(s.media.get(media.id));
    if (row && row.state !== "uploaded") queueAttach(s, row);
  });
}

// A file whose attach the server rejected (NOT_ATTACHED), attached again as the worker chose: as
// it was (the case may exist now, e.g. its case.create was corrected) or with another kind, the
// one its content shows. Its upload is still on the server: only the attach goes again.
export async function attachAgain(id, changes = {}) {
  await tx(["media", "outbox"], "readwrite", async (s, done) => {
    const row = await done(s.media.get(id));
    if (row?.state === "failed" && row.code === NOT_ATTACHED) queueAttach(s, { ...row, ...changes, reason: null, code: null, field: null });
  });
  announce({ what: "media" });
}

function uploadOne(tus, media, csrf) {
  return new Promise((resolve) => {
    const upload = new tus.Upload(media.blob, {
      endpoint: "/api/uploads/",
      uploadUrl: media.upload_url || null,
      chunkSize: CHUNK,
      retryDelays: [0, 1000, 3000],
      metadata: { filename: media.filename, filetype: media.type, sha256: media.sha256 },
      headers: { "x-csrftoken": csrf || "" },
      storeFingerprintForResuming: false,
      // tus-js-client sends with XMLHttpRequest, which a service worker does not have.
      ...(typeof XMLHttpRequest === "undefined" && { httpStack: new FetchHttpStack() }),
      onUploadUrlAvailable: () => save(media.id, { upload_url: upload.url, state: "uploading" }),
      onProgress: (sent, total) => {
        progress.set(media.id, { sent, total });
        // With the figures: a page shows the progress of an upload the service worker makes too.
        announce({ what: "progress", id: media.id, sent, total });
      },
      onSuccess: async () => {
        progress.set(media.id, { sent: media.size, total: media.size });
        await finished(media);
        resolve(true);
      },
      onError: async (error) => {
        const status = error.originalResponse?.getStatus?.() || 0;
        const body = error.originalResponse?.getBody?.() || error.message;
        // 4xx other than a lost session or CSRF: the server refused this file for good (its
        // code, e.g. hash_mismatch or unsupported_type, says what the worker can do about it).
        const refused = status >= 400 && status < 500 && ![401, 403, 409, 423].includes(status);
        await save(media.id, refused ? { state: "failed", ...refusal(body) } : { reason: N_("上传中断，联网后从断点继续") });
        resolve(false);
      },
    });
    upload.start();
  });
}

function refusal(text) {
  try {
    const body = JSON.parse(text);
    return { reason: body.reason || text, code: body.error || null };
  } catch {
    return { reason: String(text).slice(0, 200), code: null };
  }
}

// A refused file the worker chose to send again as it is (the server found it damaged on the
// way, hash_mismatch): a new tus upload at the next sync, once the phone's copy is found to be still
// the one captured. A copy damaged on the phone (or unreadable) is not sent: the file says so
// (COPY_DAMAGED), and only setting it aside or capturing it anew is left. The refused upload is
// ended on the server at that sync (TO_END), as a discarded file's is, rather than left to expire.
// Answers whether it goes again.
export const COPY_DAMAGED = "copy_damaged";
export async function uploadAgainNow(id) {
  const media = await get("media", id);
  if (media?.state !== "failed") return false;
  const intact = await sha256(media.blob).then((hash) => hash === media.sha256, () => false);
  const changes = intact ? { state: "captured", upload_url: null, reason: null, code: null }
    : { code: COPY_DAMAGED, reason: N_("本机保存的副本已损坏（与拍摄时的校验值不一致），无法重新上传：请放弃或重新拍摄") };
  await tx(["media", "meta"], "readwrite", async (s, done) => {
    const row = await done(s.media.get(id));
    if (row?.state !== "failed") return; // set aside or sent again meanwhile (another page)
    s.media.put({ ...row, ...changes });
    if (intact && row.upload_url) await endOnServer(s, done, row.upload_url);
  });
  announce({ what: "media" });
  return intact;
}

// Queue an upload for its end on the server (endDiscardedUploads), in the caller's transaction.
async function endOnServer(s, done, url) {
  const queued = (await done(s.meta.get(TO_END)))?.value || [];
  s.meta.put({ key: TO_END, value: [...new Set([...queued, url])] });
}

// A refused file the worker set aside: it leaves the device, and with it the task answers that
// name it. The answer form forgets it; an answer not yet sent is sent back at once (rejected,
// FILE_DISCARDED), one the server already holds (numbered, unacknowledged) once the server sets
// it aside to wait for the file (`lost`, outbox.releaseReady).
export async function discardFile(id) {
  await tx(["media", "outbox", "meta"], "readwrite", async (s, done) => {
    const media = await done(s.media.get(id));
    if (media?.state === "failed") await dropFile(s, done, media);
  });
  announce({ what: "media" });
}

async function dropFile(s, done, media) {
  const { id } = media;
  s.media.delete(id);
  // Its upload, refused or finished but not attached, need not wait on the server for its cleanup.
  if (media.upload_url) await endOnServer(s, done, media.upload_url);
  for (const row of await done(s.meta.getAll())) {
    if (row.key.startsWith(TASK_EVIDENCE) && row.value?.includes(id)) s.meta.put({ ...row, value: row.value.filter((other) => other !== id) });
  }
  for (const e of await done(s.outbox.getAll())) {
    if (e.state !== "pending" || !e.args?.evidence?.includes(id)) continue;
    s.outbox.put(e.mutation_id == null ? { ...e, waiting: null, state: "rejected", reason: FILE_DISCARDED } : { ...e, lost: [...(e.lost || []), id] });
  }
}

// The file an evidence.attach entry (rejected, or not sent yet) would have attached, if the device
// still holds it and no other attach of it is on its way: setting the entry aside sets it aside
// too (attachDiscarded).
export async function attachedFile(entry) {
  if (entry?.name !== "evidence.attach") return null;
  const media = await get("media", entry.args?.id);
  if (!media || !["uploaded", "failed"].includes(media.state)) return null;
  return attachOnItsWay(await all("outbox"), entry) ? null : media;
}

// An evidence.attach set aside by the worker: its file, which nothing will attach any more, leaves
// the device with it (and the answers that name it, as in discardFile), instead of
// staying 待确认 for ever.
export async function attachDiscarded(entryId) {
  const entry = await get("outbox", entryId);
  if (!entry || (entry.state === "pending" && entry.mutation_id != null)) return; // numbered: it must still be sent (outbox.discard)
  const media = await attachedFile(entry);
  await tx(["media", "outbox", "meta"], "readwrite", async (s, done) => {
    s.outbox.put({ ...entry, state: "discarded" });
    if (media) await dropFile(s, done, media);
  });
  announce({ what: "outbox" });
  announce({ what: "media" });
}

// The uploads of files set aside (dropFile) or sent again (uploadAgainNow), ended on the server
// (tus termination) at the next sync. The list is kept in IndexedDB, so that going offline or
// closing the app loses none; one is tried again at every sync until the server answers that it is
// gone (404, 410: removed already, e.g. by its cleanup) or kept because its content is attached (409).
const ENDED = [404, 409, 410];
async function endDiscardedUploads(csrf) {
  for (const url of await getMeta(TO_END, [])) {
    let response;
    try {
      response = await fetch(url, { method: "DELETE", credentials: "same-origin", headers: { "Tus-Resumable": "1.0.0", "x-csrftoken": csrf || "" } });
    } catch {
      return; // no connection: the next sync tries again
    }
    if (!response.ok && !ENDED.includes(response.status)) continue;
    await tx("meta", "readwrite", async (s, done) => {
      const queued = (await done(s.meta.get(TO_END)))?.value || [];
      s.meta.put({ key: TO_END, value: queued.filter((other) => other !== url) });
    });
  }
}

// Upload every captured file that the server does not have yet, one at a time (after ending the
// uploads of files set aside or sent again).
export async function uploadAll(csrf) {
  await endDiscardedUploads(csrf);
  const wifiOnly = (await getMeta("settings", {})).wifi_only === true;
  const waiting = (await all("media")).filter((m) => m.state === "captured" || m.state === "uploading");
  if (!waiting.length) return;
  const tus = await loadTus();
  for (const media of waiting.sort((a, b) => a.created - b.created)) {
    if (waitsForWifi(media, wifiOnly)) {
      await save(media.id, { reason: N_("等待 Wi-Fi 后上传") });
      continue;
    }
    if (media.reason) {
      await save(media.id, { reason: null }); // on its way now: no longer waiting for Wi-Fi or a connection
      announce({ what: "media" });
    }
    await uploadOne(tus, media, csrf);
    announce({ what: "media" });
  }
}
