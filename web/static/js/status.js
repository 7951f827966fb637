// What the worker must always see: online or not, how much is waiting, the last sync, errors;
// and storage: persistence, space used and free, a warning when space runs low, the export.
import { all, getMeta, setMeta } from "./db.js";
import { N_, t } from "./i18n.js";
import { entries, NOT_ATTACHED } from "./outbox.js";

export const LOW_SPACE = 200 * 1024 * 1024;

export function formatBytes(n) {
  if (n === null || n === undefined) return "—";
  const units = ["B", "KB", "MB", "GB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${n.toFixed(i ? 1 : 0)} ${units[i]}`;
}

export async function freeSpace() {
  if (!navigator.storage?.estimate) return null;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  return quota ? quota - usage : null;
}

// Ask once that the browser never evicts this site's data (Safari does after 7 idle days).
export async function askPersistence() {
  if (!navigator.storage?.persist) return null;
  if (await navigator.storage.persisted()) return true;
  const granted = await navigator.storage.persist();
  await setMeta("persisted", granted);
  return granted;
}

// What will still be sent (entries to push, files to upload), apart from what waits for a person:
// entries the server sent back (rejected, conflict), files it refused for good (`refused`) and
// files it took whole but refused to attach (`unattached`). Those are never sent again as they
// are; the outbox page lists them with their reasons.
export async function counts() {
  const count = (items, ...states) => items.filter((item) => states.includes(item.state)).length;
  const list = await entries();
  const media = await all("media");
  return {
    pending: count(list, "pending") + count(media, "captured", "uploading"),
    rejected: count(list, "rejected", "conflict"),
    refused: media.filter((m) => m.state === "failed" && m.code !== NOT_ATTACHED).length,
    unattached: media.filter((m) => m.code === NOT_ATTACHED).length, // failed too (outbox.js)
  };
}

// Each kind of thing waiting for the worker is one phrase with its own count, in this order:
// records sent back, files refused (上传失败), files uploaded whole but not attached (未附加).
// The message names the kinds that have any, joined as a list of the page's language ("，" in
// Chinese, ", " in English), so that a new kind is one more phrase, not one more sentence per
// combination.
const ATTENTION_PHRASES = [
  ["rejected", N_("{count} 条记录被退回")],
  ["refused", N_("{count} 个文件上传失败")],
  ["unattached", N_("{count} 个文件未附加")],
];

export function attentionMessage(counted) {
  const phrases = ATTENTION_PHRASES.filter(([kind]) => counted[kind]).map(([kind, phrase]) => t(phrase, { count: counted[kind] }));
  if (!phrases.length) return "";
  const items = phrases.join(t("，")); // not inside t()'s arguments, where `pybabel extract` would miss it
  return t("{items}，请处理", { items });
}

export async function renderBar(root = document) {
  const bar = root.querySelector("[data-syncbar]");
  if (!bar) return;
  const online = navigator.onLine;
  const { pending, rejected, refused, unattached } = await counts();
  const last = await getMeta("last_sync");
  const error = await getMeta("last_error");
  const net = bar.querySelector("[data-net]");
  net.textContent = online ? t("在线") : t("离线");
  bar.dataset.online = online;
  bar.querySelector("[data-pending-count]").textContent = pending;
  const attention = rejected + refused + unattached;
  bar.querySelector("[data-attention-count]").textContent = attention;
  bar.querySelector("[data-attention-link]").hidden = !attention;
  bar.querySelector("[data-last-sync]").textContent = last ? last.slice(5, 16).replace("T", " ") : "—";
  const line = bar.querySelector("[data-sync-error]");
  // The sync client keeps its words in Chinese (it runs in the service worker too): shown here in the page's.
  const message = error?.message ? t(error.message, error.params) : attentionMessage({ rejected, refused, unattached });
  line.textContent = message;
  line.hidden = !message;
  // The session ended while offline: the outbox waits until the worker signs in again.
  bar.querySelector("[data-signin-again]").hidden = error?.kind !== "auth";
}

export async function renderStorage(root = document) {
  const box = root.querySelector("[data-storage]");
  if (!box || !navigator.storage?.estimate) return;
  const { usage = 0, quota = 0 } = await navigator.storage.estimate();
  box.querySelector("[data-storage-used]").textContent = formatBytes(usage);
  box.querySelector("[data-storage-quota]").textContent = formatBytes(quota);
  const persisted = navigator.storage.persisted ? await navigator.storage.persisted() : false;
  box.querySelector("[data-storage-persisted]").textContent = persisted ? t("已设为持久保存") : t("未获持久保存：浏览器可能在空间不足或长期未使用时清除数据，请尽快同步");
  const warning = box.querySelector("[data-storage-warning]");
  warning.hidden = !(quota && quota - usage < LOW_SPACE);
  warning.textContent = t("剩余空间不足 {free}，请尽快同步。", { free: formatBytes(quota - usage) });
  const wifi = box.querySelector("[data-wifi-only]");
  wifi.checked = (await getMeta("settings", {})).wifi_only === true;
  wifi.onchange = async () => setMeta("settings", { ...(await getMeta("settings", {})), wifi_only: wifi.checked });
}

export async function warnLowSpace(root = document) {
  const warning = root.querySelector("[data-space-warning]");
  const free = await freeSpace();
  if (!warning || free === null) return;
  warning.hidden = free >= LOW_SPACE;
  warning.textContent = t("本机剩余空间仅 {free}，录像前请先同步。", { free: formatBytes(free) });
}

const asDataUrl = (blob) => new Promise((resolve) => {
  const reader = new FileReader();
  reader.onload = () => resolve(reader.result);
  reader.readAsDataURL(blob);
});

// Everything the device holds that the server has not confirmed, as one JSON file.
export async function exportOutbox() {
  const list = (await entries()).filter((e) => e.state !== "done" && e.state !== "discarded");
  const media = [];
  for (const { blob, ...m } of await all("media")) media.push({ ...m, data: await asDataUrl(blob) });
  const file = new Blob([JSON.stringify({ exported_at: new Date().toISOString(), client_id: await getMeta("client_id"), outbox: list, media }, null, 1)], { type: "application/json" });
  const link = Object.assign(document.createElement("a"), { href: URL.createObjectURL(file), download: `doorstep-outbox-${Date.now()}.json` });
  document.body.append(link);
  link.click();
  link.remove();
}
