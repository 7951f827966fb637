// The field app's entry: service worker, sync triggers, and the page's enhancements.
// Loaded once per document; hx-boost navigations swap the body, so pages are enhanced again on
// every htmx:afterSettle.
import { onAnnounce, setMeta } from "./db.js";
import { enhanceCapture } from "./capture.js";
import { enhanceCasework } from "./casework.js";
import { enhanceForms } from "./forms.js";
import { askPersistence, exportOutbox, renderBar, renderStorage, warnLowSpace } from "./status.js";
import { syncNow } from "./sync-client.js";
import { renderTasks } from "./tasks.js";
import { progress, uploadAll } from "./uploads.js";
import { currentCaseId, renderLocal, renderProgress } from "./views.js";

// The CSRF token from the cookie, kept in IndexedDB too (the service worker cannot read cookies).
// Without the cookie (a browser restart drops the session cookie "csrftoken") the sync asks the
// server for this browser's token, as the service worker's syncs do (sync-client.js run).
async function csrfToken() {
  const cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)?.[1];
  if (cookie) await setMeta("csrf", cookie);
  return cookie;
}

export async function sync() {
  const result = await syncNow({ csrf: await csrfToken(), uploads: uploadAll });
  retryLater(result);
  await refresh();
  return result;
}

// A sync the network or the server cut short is tried again while the page is open: after 15 s,
// then twice as long each time, up to 5 minutes. The "online" event never comes on a connection
// that is up but reaches nothing (a weak signal, a captive portal), and Safari has no Background
// Sync. Offline (the "online" event will come), signed out, or refused: nothing to try again.
const RETRY_FIRST = 15 * 1000;
const RETRY_MOST = 5 * 60 * 1000;
let retryDelay = RETRY_FIRST;
let retryTimer = null;
function retryLater(result) {
  clearTimeout(retryTimer);
  retryTimer = null;
  if (result.ok || result.offline || !["network", "server"].includes(result.error?.kind)) {
    retryDelay = RETRY_FIRST;
    return;
  }
  retryTimer = setTimeout(sync, retryDelay);
  retryDelay = Math.min(retryDelay * 2, RETRY_MOST);
}

// Background Sync where the browser has it, after every local write (a form saved, a file captured
// or sent again): the service worker syncs, files included, once the connection is back, even when
// the app is closed by then. Never relied on: every trigger below also syncs.
async function askBackgroundSync() {
  const registration = await navigator.serviceWorker?.ready;
  await registration?.sync?.register("doorstep-sync").catch(() => null);
}

async function refresh() {
  await renderBar();
  await renderLocal(document, refresh);
  await renderTasks(document);
}

// An hx-boost swap keeps <body> and replaces its content: the field container tells pages apart.
// data-field-ready marks the page on screen as wired: a swap takes it away until its page is.
let enhanced = null;
let enhancedReady = false;
async function enhance() {
  const root = document.querySelector("[data-field]");
  if (!root) return;
  if (root === enhanced) { // a swap inside the page: it stays wired
    if (enhancedReady) document.documentElement.dataset.fieldReady = "1";
    return;
  }
  enhanced = root;
  enhancedReady = false;
  delete document.documentElement.dataset.fieldReady;
  const caseId = currentCaseId();
  for (const link of root.querySelectorAll("[data-case-link]")) if (caseId) link.href = link.dataset.caseLink + caseId;
  await refresh();
  enhanceForms(document, askBackgroundSync);
  enhanceCapture(document, currentCaseId());
  await enhanceCasework(document).catch((error) => console.error("casework", error));
  renderStorage();
  warnLowSpace();
  document.querySelector("[data-export]")?.addEventListener("click", exportOutbox);
  // Another page came meanwhile (its enhance may not have begun: the settle delay): it marks itself.
  if (enhanced !== root || !root.isConnected) return;
  enhancedReady = true;
  document.documentElement.dataset.fieldReady = "1"; // for people who tap fast, and for tests
}

let updateWorker = null;
function offerUpdate(worker) {
  updateWorker = worker;
  const banner = document.querySelector("[data-update-banner]");
  if (banner) banner.hidden = false;
}

async function registerWorker() {
  if (!("serviceWorker" in navigator)) return;
  const registration = await navigator.serviceWorker.register("/sw.js", { type: "module", scope: "/" });
  if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const worker = registration.installing;
    worker.addEventListener("statechange", () => worker.state === "installed" && navigator.serviceWorker.controller && offerUpdate(worker));
  });
  let updating = false;
  document.addEventListener("click", (e) => {
    if (!e.target.closest("[data-update-now]") || !updateWorker) return;
    updating = true;
    updateWorker.postMessage({ type: "SKIP_WAITING" });
  });
  navigator.serviceWorker.addEventListener("controllerchange", () => updating && location.reload());
}

document.addEventListener("click", (e) => e.target.closest("[data-sync-now]") && sync());
document.addEventListener("doorstep:sync", () => (askBackgroundSync(), sync()));
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.shouldSwap && event.detail.boosted) delete document.documentElement.dataset.fieldReady;
});
document.addEventListener("htmx:afterSettle", enhance);
window.addEventListener("online", sync);
window.addEventListener("offline", () => renderBar());
document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && sync());
// An upload's progress: this page's own, or the service worker's (its figures come with the message).
function showProgress({ id, sent, total }) {
  if (sent !== undefined) progress.set(id, { sent, total });
  renderProgress();
}
onAnnounce((message) => (message?.what === "progress" ? showProgress(message) : refresh()));

await enhance();
registerWorker().catch((error) => console.warn("service worker", error));
askPersistence();
sync();
