// The worker's tasks (退回补充) as the device knows them: the open tasks pulled from the server
// (records of kind "task") less those answered on this device and not yet pulled back. Renders
// the count badge, marks tasks answered here on the list, and closes the answer form of a task
// answered here (the page itself may come from the cache, rendered before the answer).
//
// The answer names the evidence captured on the task's page (`evidence`: the ids its
// evidence.attach mutations carry), so the server applies it only once that evidence is on the
// case. Until the files are uploaded the task's page says that the answer waits for them, with
// each file's progress.
import { all, get, getMeta, tx } from "./db.js";
import { t } from "./i18n.js";
import { entries, NOT_ATTACHED } from "./outbox.js";
import { formatBytes } from "./status.js";
import { progress, TASK_EVIDENCE } from "./uploads.js";

const ANSWERED_HERE = ["pending", "done"];
const KIND = { photo: t("照片"), video: t("视频"), audio: t("录音") };
const MEDIA_STATE = { captured: t("待上传"), uploading: t("上传中"), failed: t("上传失败") };
const evidenceKey = (taskId) => `${TASK_EVIDENCE}${taskId}`;

// Evidence captured on a task's page, remembered per task so that the answer names it even
// after the server attached it and the device let the file go.
export async function rememberEvidence(taskId, mediaId) {
  await tx("meta", "readwrite", async (s, done) => {
    const row = await done(s.meta.get(evidenceKey(taskId)));
    s.meta.put({ key: evidenceKey(taskId), value: [...(row?.value || []), mediaId] });
  });
}

// The task answers of this device that count as answered here, by task id (the latest wins).
async function answeredHere() {
  const answers = (await entries()).filter((e) => e.name === "task.answer" && ANSWERED_HERE.includes(e.state));
  return new Map(answers.map((e) => [e.args.id, e]));
}

// The open tasks (of `userId` only, when given) the device knows, less those answered here.
export async function openTasks(userId) {
  const answered = await answeredHere();
  const tasks = (await all("records", "type")).filter((r) => r.type === "task").map((r) => r.data);
  const wanted = (task) => task.status === "open" && !answered.has(task.id) && (userId === undefined || String(task.assigned_to) === String(userId));
  return { answered, open: tasks.filter(wanted) };
}

// The files an answer names that are still on their way to the server (on this device, not uploaded).
async function stillUploading(entry) {
  const media = await Promise.all((entry.args.evidence || []).map((id) => get("media", id)));
  return media.filter((m) => m && m.state !== "uploaded");
}

// On a case page: the open requests for that case, each a link to answer it.
function renderCaseTasks(list, open) {
  const caseId = list.closest("[data-case]")?.dataset.case;
  const mine = open.filter((task) => task.case_id === caseId);
  list.hidden = !mine.length;
  list.replaceChildren(...mine.map((task) => {
    const li = document.createElement("li");
    const link = Object.assign(document.createElement("a"), { href: `/field/tasks/${task.id}` });
    const badge = Object.assign(document.createElement("span"), { className: "badge warn", textContent: t("待答复") });
    const request = Object.assign(document.createElement("span"), { className: "block request", textContent: task.request });
    link.append(badge, ` ${t("退回补充")}`, request);
    li.append(link);
    return li;
  }));
}

// In the answer form: the evidence captured on this page, sent with the answer (hidden inputs
// evidence.0, evidence.1 … for forms.js), less files the server refused.
async function renderAnswerEvidence(box, taskId) {
  if (!box) return;
  const ids = (await getMeta(evidenceKey(taskId), [])) || [];
  const media = new Map((await Promise.all(ids.map((id) => get("media", id)))).filter(Boolean).map((m) => [m.id, m]));
  // A file the server attached is gone from the device: its attach (kept a while) still says its kind.
  const attached = new Map((await entries()).filter((e) => e.name === "evidence.attach").map((e) => [e.args.id, e.args]));
  const named = ids.filter((id) => media.get(id)?.state !== "failed");
  const kinds = named.map((id) => KIND[(media.get(id) || attached.get(id))?.kind] || t("证据")).join(t("、"));
  box.querySelector("[data-task-evidence-text]").textContent = named.length
    ? t("随答复提交的证据 {count} 份：{kinds}。证据到达服务器后，答复才提交审核。", { count: named.length, kinds })
    : t("本页尚未拍摄补充证据；也可以只答复文字。");
  box.querySelectorAll("input[type=hidden]").forEach((input) => input.remove());
  box.append(...named.map((id, i) => Object.assign(document.createElement("input"), { type: "hidden", name: `evidence.${i}`, value: id })));
}

// After answering here: whether the answer waits for its files, each with its progress bar
// (views.js fills [data-media-id] [data-slot-progress] as the upload goes).
function renderAnswerState(card, entry, waiting) {
  const text = card.querySelector("[data-task-answer-state]");
  card.dataset.waiting = waiting.length ? "1" : "";
  if (waiting.length) text.textContent = t("答复已保存，等待证据上传（{count} 份）：证据到达服务器后，答复才提交审核。", { count: waiting.length });
  else text.textContent = entry.state === "done" ? t("已答复，已同步。") : t("已答复，待同步。");
  const list = card.querySelector("[data-task-waiting]");
  list.hidden = !waiting.length;
  list.replaceChildren(...waiting.map((m) => {
    const li = Object.assign(document.createElement("li"), { className: "waiting-media" });
    li.dataset.mediaId = m.id;
    li.dataset.state = m.state;
    const sent = progress.get(m.id); // this page's upload of it, if it is going on
    const state = [m.code === NOT_ATTACHED ? t("未附加") : MEDIA_STATE[m.state] || m.state, sent ? "" : t(m.reason)].filter(Boolean).join(" · ");
    const label = Object.assign(document.createElement("span"), { className: "block", textContent: `${KIND[m.kind] || t("证据")} ${formatBytes(m.size)} · ${state}` });
    const bar = Object.assign(document.createElement("progress"), { max: 100, value: sent ? Math.round((100 * sent.sent) / sent.total) : 0, hidden: !sent });
    bar.dataset.slotProgress = "";
    li.append(label, bar);
    return li;
  }));
}

export async function renderTasks(root = document) {
  const badge = root.querySelector("[data-task-count]");
  const items = root.querySelectorAll("[data-task-id][data-task-status=open]");
  const page = root.querySelector("[data-task][data-task-status=open]");
  const caseTasks = root.querySelector("[data-case-tasks]");
  if (!badge && !items.length && !page && !caseTasks) return;
  const { answered, open } = await openTasks(badge?.dataset.user);
  if (caseTasks) renderCaseTasks(caseTasks, open);
  // Before the device's first pull it knows no tasks: the server's count stays.
  if (badge && (await getMeta("cursor"))) {
    badge.textContent = String(open.length);
    badge.classList.toggle("warn", open.length > 0);
  }
  for (const li of items) {
    const entry = answered.get(li.dataset.taskId);
    if (!entry) continue;
    li.dataset.answeredHere = "1";
    const state = li.querySelector("[data-task-state]");
    state.textContent = (await stillUploading(entry)).length ? t("已答复，等待证据上传") : t("已答复，待同步");
    state.classList.replace("warn", "pending");
  }
  if (!page) return;
  const entry = answered.get(page.dataset.task);
  if (!entry) {
    await renderAnswerEvidence(page.querySelector("[data-task-evidence]"), page.dataset.task);
    return;
  }
  page.querySelector("[data-task-open]").hidden = true;
  const card = page.querySelector("[data-task-answered-here]");
  card.hidden = false;
  renderAnswerState(card, entry, await stillUploading(entry));
}
