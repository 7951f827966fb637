// Doorstep's service worker: a versioned precache of the app shell (with the modules' English
// words), cache-first static files, network-first pages with a cache fallback (navigations and
// hx-boost fetches alike), an offline page, the cached pages fetched again in the other language
// when the language is switched, and the evidence uploaded and the outbox pushed through
// Background Sync where the browser has it, as a page's sync does.
// tus-js-client, for the uploads: a module service worker may not import() later, nor load a script.
import "/static/vendor/tus-js-client-4.3.1.min.js";
import { PAGES_CACHE, syncNow, whole } from "/static/js/sync-client.js";
import { uploadAll } from "/static/js/uploads.js";

const VERSION = "dev";
const STATIC_CACHE = `doorstep-static-${VERSION}`;
// Pages that render from the device alone.
const SHELL_PAGES = ["/field/offline", "/field/outbox", "/field/local"];
const PRECACHE = [
  "/manifest.json",
  "/static/css/app.css",
  "/static/css/field.css",
  "/static/css/daily.css",
  "/static/vendor/htmx-2.0.11.min.js",
  "/static/vendor/signature_pad-5.1.4.min.js",
  ...["field", "db", "outbox", "sync-client", "uploads", "tus-fetch", "sha256", "capture", "forms", "status", "views", "signing", "daily", "tasks", "conflicts", "i18n"].map((m) => `/static/js/${m}.js`),
  ...["", "-rules", "-state", "-form", "-finances", "-declaration", "-referral"].map((m) => `/static/js/casework${m}.js`),
  "/static/icons/icon-192.png",
  "/static/icons/icon-512.png",
  "/static/icons/icon-maskable-512.png",
  // The modules' English words (web/static/js/i18n.js; Chinese needs none, the modules are written
  // in it): both languages open offline, and switching language downloads no module again.
  "/i18n/en.json",
  ...SHELL_PAGES,
];
const LOCAL_CASE = /^\/field\/cases\/[0-9a-f-]{36}$/;
// Pages that moved: a bookmark, or a link in a page cached by an earlier version, goes to the new
// address (its query kept), offline too; the old copies are dropped from the page cache.
const MOVED = { "/field/cases/new": "/field/casework/new" };
const PAGE_TIMEOUT_MS = 6000;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(STATIC_CACHE).then((cache) => cache.addAll(PRECACHE)));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith("doorstep-static-") && name !== STATIC_CACHE) await caches.delete(name);
    }
    const pages = await caches.open(PAGES_CACHE);
    for (const request of await pages.keys()) if (MOVED[new URL(request.url).pathname]) await pages.delete(request);
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => event.data?.type === "SKIP_WAITING" && self.skipWaiting());

self.addEventListener("sync", (event) => {
  // No CSRF token given: the sync asks the server for this browser's (sync-client.js run()), since
  // the one a page kept in IndexedDB is stale after a browser restart, before any page is opened.
  if (event.tag === "doorstep-sync") event.waitUntil(syncNow({ uploads: uploadAll }));
});

async function staticFile(request) {
  const cached = await caches.match(request, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) (await caches.open(STATIC_CACHE)).put(request, response.clone());
  return response;
}

// A cached page answered as a new Response: without the cached URL, so that the address bar and
// htmx's history keep the URL that was asked for (with its ?case=…), not the cached one.
async function fromCache(path, options = {}) {
  const cached = await caches.match(path, { ignoreVary: true, ...options });
  return cached && new Response(cached.body, { status: cached.status, statusText: cached.statusText, headers: cached.headers });
}

async function cachedPage(url) {
  return (await fromCache(url.pathname + url.search)) || (await fromCache(url.pathname, { ignoreSearch: true }))
    || (LOCAL_CASE.test(url.pathname) && (await fromCache("/field/local")))
    || (await fromCache("/field/offline"));
}

// A navigation or an hx-boost fetch: the network first (within a time limit), then the cache.
// A boosted fetch is answered with the cached full page: htmx takes its <body>.
async function page(request, url, boosted) {
  let response;
  try {
    response = await Promise.race([fetch(request), new Promise((_, fail) => setTimeout(fail, PAGE_TIMEOUT_MS))]);
  } catch {
    return (await cachedPage(url)) || Response.error();
  }
  // Only the field app's pages are kept (not sign-in or enrollment pages, nor desktop pages).
  const fieldPage = url.pathname === "/" || url.pathname === "/field" || url.pathname.startsWith("/field/");
  if (response.ok && fieldPage && !boosted && !response.redirected) {
    const copy = response.clone();
    whole(copy).then(async (page) => (await caches.open(PAGES_CACHE)).put(url.pathname + url.search, page)).catch(() => null);
  }
  // The session ended (expired, revoked): keep working from the cache; the sync status bar
  // asks the worker to sign in again, and the outbox waits until then.
  if (response.status === 401 && fieldPage) {
    return (await fromCache(url.pathname + url.search)) || (await fromCache(url.pathname, { ignoreSearch: true })) || response;
  }
  // A case created on this device that the server does not know yet.
  if (response.status === 404 && LOCAL_CASE.test(url.pathname)) return (await fromCache("/field/local")) || response;
  return response;
}

// The language was switched (/lang/<code> sets the cookie and redirects): the cached pages are in
// the other one. Fetch them again in the background, each replaced only when it arrives whole, so
// that they open offline in the new language; modules, styles and both languages' words stay.
async function fetchPagesAgain() {
  const refresh = async (cache, url) => {
    const response = await fetch(url, { credentials: "same-origin" });
    if (response.ok && !response.redirected) await cache.put(url, await whole(response));
  };
  try {
    const shell = await caches.open(STATIC_CACHE);
    for (const path of SHELL_PAGES) await refresh(shell, path);
    const pages = await caches.open(PAGES_CACHE);
    for (const request of await pages.keys()) await refresh(pages, request.url);
  } catch {
    // The network went away: the next switch, or the next version, fetches them.
  }
}

function switchLanguage(event, url) {
  const answer = fetch(event.request);
  event.respondWith(answer.catch(async () => (await cachedPage(url)) || Response.error()));
  event.waitUntil(answer.then(fetchPagesAgain, () => null));
}

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/auth/") || url.pathname === "/sw.js") return;
  if (url.pathname.startsWith("/lang/") && request.mode === "navigate") {
    switchLanguage(event, url);
    return;
  }
  if (url.pathname.startsWith("/static/") || url.pathname.startsWith("/i18n/") || url.pathname === "/manifest.json") {
    event.respondWith(staticFile(request));
    return;
  }
  const boosted = request.headers.get("HX-Boosted") === "true";
  if (MOVED[url.pathname] && (request.mode === "navigate" || boosted)) {
    event.respondWith(Response.redirect(new URL(MOVED[url.pathname] + url.search, url), 308));
    return;
  }
  if (request.mode === "navigate" || boosted) event.respondWith(page(request, url, boosted));
});
