// One IndexedDB database for the field app. Used by pages and by the service worker.
const NAME = "doorstep";
const VERSION = 1;
let opening = null;

function upgrade(db, oldVersion) {
  // One step per version, keyed on the version the database had before.
  if (oldVersion < 1) {
    // Modelled on Workbox's queue: auto-increment id (the push order), timestamp, indexes.
    const outbox = db.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
    outbox.createIndex("timestamp", "timestamp");
    outbox.createIndex("state", "state");
    outbox.createIndex("mutation_id", "mutation_id");
    // Pulled records, by "type:id".
    db.createObjectStore("records", { keyPath: "key" }).createIndex("type", "type");
    // Captured evidence with its Blob, until the server has verified and attached it.
    const media = db.createObjectStore("media", { keyPath: "id" });
    media.createIndex("case_id", "case_id");
    media.createIndex("state", "state");
    // Small values: client_id, next_mutation_id, cursor, epoch, csrf, last_sync, settings.
    db.createObjectStore("meta", { keyPath: "key" });
  }
}

export function getDB() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = (event) => upgrade(request.result, event.oldVersion);
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => { db.close(); opening = null; };
      resolve(db);
    };
    request.onerror = () => { opening = null; reject(request.error); };
  });
  return opening;
}

const done = (request) => new Promise((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

// Run `work(stores)` in one transaction; resolves with its result once the transaction commits.
export async function tx(names, mode, work) {
  const db = await getDB();
  const list = [].concat(names);
  const t = db.transaction(list, mode);
  const stores = Object.fromEntries(list.map((n) => [n, t.objectStore(n)]));
  const committed = new Promise((resolve, reject) => {
    t.oncomplete = resolve;
    t.onerror = t.onabort = () => reject(t.error);
  });
  let result;
  try {
    result = await work(stores, done);
  } catch (error) {
    t.abort();
    throw error;
  }
  await committed;
  return result;
}

export const get = (store, key) => tx(store, "readonly", (s) => done(s[store].get(key)));
export const put = (store, value) => tx(store, "readwrite", (s) => done(s[store].put(value)));
export const del = (store, key) => tx(store, "readwrite", (s) => done(s[store].delete(key)));
export const all = (store, index, query) =>
  tx(store, "readonly", (s) => done((index ? s[store].index(index) : s[store]).getAll(query)));

export async function getMeta(key, fallback = null) {
  const row = await get("meta", key);
  return row === undefined ? fallback : row.value;
}
export const setMeta = (key, value) => put("meta", { key, value });

// Tell every page (and the service worker) that stored data changed.
const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel("doorstep") : null;
export function announce(what) {
  channel?.postMessage(what);
  if (typeof document !== "undefined") document.dispatchEvent(new CustomEvent("doorstep:changed", { detail: what }));
}
export function onAnnounce(listener) {
  channel?.addEventListener("message", (e) => listener(e.data));
  if (typeof document !== "undefined") document.addEventListener("doorstep:changed", (e) => listener(e.detail));
}
