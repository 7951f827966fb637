// Evidence capture: photo (downscaled to ≤ 2048 px JPEG on the device), video (size shown),
// audio (MediaRecorder). Each file gets its SHA-256, capture time and, if allowed, location at
// capture time, and is kept as a Blob in IndexedDB until the server has verified it.
import { announce, put } from "./db.js";
import { t } from "./i18n.js";
import { isoLocal } from "./outbox.js";
import { sha256 } from "./sha256.js";
import { freeSpace, formatBytes } from "./status.js";
import { clientId } from "./sync-client.js";
import { rememberEvidence } from "./tasks.js";

// Still offered here, where it was first (signing.js, and scripts in the e2e tests, take it from here).
export { sha256 };

const MAX_SIDE = 2048;

export async function downscale(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return file; // a format this browser cannot decode: keep the original
  }
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob || file), "image/jpeg", 0.85));
}

function position(wanted) {
  if (!wanted || !navigator.geolocation) return Promise.resolve(null);
  return new Promise((resolve) => navigator.geolocation.getCurrentPosition(
    (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: Math.round(p.coords.accuracy) }),
    () => resolve(null),
    { timeout: 8000, maximumAge: 60000 },
  ));
}

const EXT = { "image/jpeg": "jpg", "image/png": "png", "video/mp4": "mp4", "video/webm": "webm", "video/quicktime": "mov", "audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a" };

export async function store(caseId, kind, blob, { note = "", withLocation = false, name = "", task = null } = {}) {
  const captured_at = isoLocal();
  const [hash, location, device] = await Promise.all([sha256(blob), position(withLocation), clientId()]);
  const type = (blob.type || "application/octet-stream").split(";")[0];
  const id = crypto.randomUUID();
  const media = {
    id, case_id: caseId, kind, blob, type, size: blob.size, sha256: hash, captured_at, location, note, device,
    filename: name || `${kind}-${captured_at.slice(0, 19).replace(/[-:T]/g, "")}.${EXT[type] || "bin"}`,
    state: "captured", upload_url: null, created: Date.now(),
  };
  await put("media", media);
  if (task) await rememberEvidence(task, id); // captured on a task's page: its answer names it
  announce({ what: "media" });
  document.dispatchEvent(new Event("doorstep:sync")); // sync after each local write
  return media;
}

// Refuse to store what would not fit; warn when little space is left.
async function roomFor(bytes, status) {
  const free = await freeSpace();
  if (free !== null && bytes > free * 0.9) {
    status.textContent = t("本机空间不足（剩余 {free}），无法保存 {size} 的文件。请先同步并释放空间。", { free: formatBytes(free), size: formatBytes(bytes) });
    return false;
  }
  return true;
}

function recorder(box, caseId, options, status) {
  const [start, stop, save] = ["start", "stop", "save"].map((k) => box.querySelector(`[data-rec-${k}]`));
  const timer = box.querySelector("[data-timer]");
  const playback = box.querySelector("[data-rec-playback]");
  let media, chunks, blob, ticking, began;
  start.addEventListener("click", async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
      media = new MediaRecorder(stream);
    } catch (error) {
      status.textContent = t("无法使用麦克风: {error}", { error: error.message });
      return;
    }
    chunks = [];
    media.ondataavailable = (e) => e.data.size && chunks.push(e.data);
    media.onstop = () => {
      media.stream.getTracks().forEach((track) => track.stop());
      blob = new Blob(chunks, { type: media.mimeType || "audio/webm" });
      playback.src = URL.createObjectURL(blob);
      playback.hidden = false;
      save.disabled = false;
    };
    media.start(1000);
    began = Date.now();
    ticking = setInterval(() => {
      const s = Math.floor((Date.now() - began) / 1000);
      timer.textContent = `${String(s / 60 | 0).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
    }, 250);
    start.disabled = true;
    stop.disabled = false;
    save.disabled = true;
    box.dataset.state = "recording";
  });
  stop.addEventListener("click", () => {
    clearInterval(ticking);
    media?.state === "recording" && media.stop();
    start.disabled = false;
    stop.disabled = true;
    box.dataset.state = "stopped";
  });
  save.addEventListener("click", async () => {
    if (!blob || !(await roomFor(blob.size, status))) return;
    save.disabled = true;
    await store(caseId, "audio", blob, options());
    status.textContent = t("录音已保存（{size}）", { size: formatBytes(blob.size) });
    blob = null;
  });
}

export function enhanceCapture(root, caseId) {
  const box = root.querySelector("[data-capture]:not([data-enhanced])");
  if (!box || !caseId) return;
  box.dataset.enhanced = "1";
  const status = box.querySelector("[data-capture-status]");
  const options = () => ({ note: box.querySelector("[data-note]").value.trim(), withLocation: box.querySelector("[data-with-location]").checked,
    task: box.closest("[data-task]")?.dataset.task || null });
  box.querySelector("[data-capture-photo]").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    status.textContent = t("正在处理照片…");
    const photo = await downscale(file);
    if (await roomFor(photo.size, status)) {
      await store(caseId, "photo", photo, options());
      status.textContent = t("照片已保存（{size}）", { size: formatBytes(photo.size) });
    }
    e.target.value = "";
  });
  box.querySelector("[data-capture-video]").addEventListener("change", async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    status.textContent = t("视频 {size}，正在计算校验值…", { size: formatBytes(file.size) });
    if (await roomFor(file.size, status)) {
      await store(caseId, "video", file, { ...options(), name: file.name });
      status.textContent = t("视频已保存（{size}），联网后上传", { size: formatBytes(file.size) });
    }
    e.target.value = "";
  });
  recorder(box.querySelector("[data-recorder]"), caseId, options, status);
  // A file chosen before the page's script was ready (a slow phone) is kept, not dropped.
  for (const input of box.querySelectorAll("[data-capture-photo], [data-capture-video]")) {
    if (input.files.length) input.dispatchEvent(new Event("change"));
  }
}
