// Signing on the phone, offline: the person signs on the screen (vendored signature_pad) or the
// worker photographs the paper signed by hand. A screen signature is bound to the document's
// SHA-256, the signer and the time (binding = SHA-256 of "doc\nsigner\ntime\nimage sha256") and
// saved to the outbox as `paperwork.sign`; a photo is stored like any evidence (uploaded with
// tus) and `paperwork.attach_photo` links it to the obligation. Both are pushed by the sync client.
import { all } from "./db.js";
import { downscale, sha256, store } from "./capture.js";
import { N_, t } from "./i18n.js";
import { enqueue, isoLocal } from "./outbox.js";

const PAD_SRC = "/static/vendor/signature_pad-5.1.4.min.js";
const STATES = { pending: t("待同步"), done: t("已同步"), rejected: t("被拒绝"), conflict: t("有冲突"), discarded: t("已放弃") };

let loading = null;
function loadPad() {
  loading ??= new Promise((resolve, reject) => {
    if (window.SignaturePad) return resolve(window.SignaturePad);
    const script = Object.assign(document.createElement("script"), { src: PAD_SRC });
    script.onload = () => resolve(window.SignaturePad);
    script.onerror = () => { loading = null; reject(new Error(t("无法加载签名组件"))); };
    document.head.append(script);
  });
  return loading;
}

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
const sha256Text = async (text) => hex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));

function dataUrlBlob(url) {
  const bytes = Uint8Array.from(atob(url.split(",")[1]), (c) => c.charCodeAt(0));
  return new Blob([bytes], { type: "image/png" });
}

export async function bind(documentSha256, signer, signedAt, imageSha256) {
  return sha256Text(`${documentSha256}\n${signer}\n${signedAt}\n${imageSha256}`);
}

// The outbox entries of this obligation, shown until the server has them (and after, as 已同步).
async function renderLocal(box) {
  const id = box.dataset.obligationId;
  const list = box.querySelector("[data-local-signatures]");
  const mine = (await all("outbox")).filter((e) => e.name?.startsWith("paperwork.") && e.args?.obligation_id === id);
  for (const entry of mine) {
    const item = box.querySelector(`[data-signer="${CSS.escape(entry.args.signer || "")}"] [data-signer-state]`);
    if (item && entry.state !== "discarded" && entry.state !== "rejected") item.textContent = entry.state === "done" ? t("已签") : t("待同步");
  }
  if (!list) return;
  list.replaceChildren(...mine.map((e) => {
    const li = document.createElement("li");
    li.dataset.entryState = e.state;
    const who = e.name === "paperwork.sign" ? box.querySelector(`[data-signer="${CSS.escape(e.args.signer)}"] b`)?.textContent || e.args.signer : t("纸质签名照片");
    li.textContent = `${who} · ${e.args.signed_at || e.args.evidence?.captured_at || ""} · ${STATES[e.state] || e.state}${e.reason ? ` · ${t(e.reason)}` : ""}`;
    return li;
  }));
  if (!mine.length) list.replaceChildren(Object.assign(document.createElement("li"), { className: "muted empty", textContent: t("无") }));
}

function fitCanvas(canvas, pad) {
  const ratio = Math.max(window.devicePixelRatio || 1, 1);
  canvas.width = canvas.offsetWidth * ratio;
  canvas.height = canvas.offsetHeight * ratio;
  canvas.getContext("2d").scale(ratio, ratio);
  pad.clear();
}

async function enhancePad(box, status) {
  const canvas = box.querySelector("[data-pad]");
  if (!canvas) return;
  const SignaturePad = await loadPad();
  const pad = new SignaturePad(canvas, { backgroundColor: "rgb(255,255,255)", penColor: "rgb(0,0,0)" });
  fitCanvas(canvas, pad);
  canvas.signaturePad = pad; // reachable from the page's console (and from tests)
  box.querySelector("[data-pad-clear]").addEventListener("click", () => pad.clear());
  box.querySelector("[data-pad-save]").addEventListener("click", async () => {
    const select = box.querySelector("[data-signer-select]");
    if (pad.isEmpty()) { status.textContent = t("请先在框内签名"); return; }
    if (!select.value) { status.textContent = t("所有签署人都已签名"); return; }
    const image = pad.toDataURL("image/png");
    const signed_at = isoLocal();
    const document_sha256 = box.dataset.documentSha256;
    const binding_sha256 = await bind(document_sha256, select.value, signed_at, await sha256(dataUrlBlob(image)));
    await enqueue("paperwork.sign", {
      id: crypto.randomUUID(), obligation_id: box.dataset.obligationId, document_sha256, signer: select.value, signed_at, image, binding_sha256,
    });
    status.textContent = t("{signer} 的签名已保存在本机，联网后同步", { signer: select.selectedOptions[0].textContent });
    select.selectedOptions[0].remove();
    pad.clear();
    await renderLocal(box);
    document.dispatchEvent(new Event("doorstep:sync")); // sync after each local write
  });
}

function enhancePhoto(box, status) {
  const input = box.querySelector("[data-sign-photo]");
  input?.addEventListener("change", async () => {
    const file = input.files[0];
    if (!file) return;
    status.textContent = t("正在处理照片…");
    const photo = await downscale(file);
    // The note is the record's text, kept on the server: in Chinese, like the document's title.
    const media = await store(box.dataset.caseId, "photo", photo, { note: N_("纸质签名文书：{title}").replace("{title}", document.querySelector("h1")?.firstChild?.textContent?.trim() || "") });
    const evidence = { id: media.id, sha256: media.sha256, captured_at: media.captured_at, device: media.device, note: media.note, location: media.location };
    await enqueue("paperwork.attach_photo", {
      id: crypto.randomUUID(), obligation_id: box.dataset.obligationId, document_sha256: box.dataset.documentSha256, evidence,
    });
    status.textContent = t("照片已保存在本机，联网后上传并关联到文书");
    input.value = "";
    await renderLocal(box);
  });
}

// The task list: which documents have signatures waiting on this device, or refused.
async function renderTasks() {
  const badges = document.querySelectorAll("[data-local-state]");
  if (!badges.length) return;
  const open = (await all("outbox")).filter((e) => e.name?.startsWith("paperwork.") && ["pending", "rejected", "conflict"].includes(e.state));
  for (const badge of badges) {
    const mine = open.filter((e) => e.args?.obligation_id === badge.dataset.localState);
    badge.textContent = !mine.length ? "" : mine.some((e) => e.state !== "pending") ? STATES.rejected : `${STATES.pending} ${mine.length}`;
    badge.hidden = !mine.length;
  }
}

export async function enhanceSigning() {
  const box = document.querySelector("[data-sign]:not([data-sign-ready])");
  if (!box) {
    await renderTasks();
    return;
  }
  box.dataset.signReady = "1";
  const status = box.querySelector("[data-sign-status]");
  await renderLocal(box);
  enhancePhoto(box, status);
  await enhancePad(box, status);
  document.addEventListener("doorstep:changed", () => renderLocal(box));
  document.documentElement.dataset.signReady = "1"; // for people who tap fast, and for tests
}

document.addEventListener("htmx:afterSettle", enhanceSigning);
document.addEventListener("doorstep:changed", renderTasks);
enhanceSigning();
