// What the device holds, rendered into the server's pages through <template>s: pending cases on
// the caseload, local visits and evidence on a case page, the page of a case created offline,
// and the outbox page with retry / fix / discard; a file the server refused offers to be set aside,
// to be captured anew, or (damaged on the way, the phone's copy intact) to be sent again; one
// whose attach it rejected, where the phone can mend the cause, to be attached again (or to another
// of the worker's cases, where its own was not found).
import { renderConflicts } from "./conflicts.js";
import { all } from "./db.js";
import { t } from "./i18n.js";
import { discard, entries, fix, NOT_ATTACHED, OPEN } from "./outbox.js";
import { attachAgain, attachDiscarded, attachedFile, discardFile, progress, TASK_EVIDENCE, uploadAgainNow } from "./uploads.js";
import { formatBytes } from "./status.js";

const STATE = { pending: t("待同步"), rejected: t("被退回"), conflict: t("有冲突"), captured: t("待上传"), uploading: t("上传中"), uploaded: t("待确认"), failed: t("上传失败") };
const KIND = { photo: t("照片"), video: t("视频"), audio: t("录音") };
const ACTION = { "household.upsert": t("新建家庭"), "case.create": t("新建案件"), "case.update": t("修改案件"), "visit.record": t("入户走访"), "evidence.attach": t("附加证据"),
  "finances.set": t("家庭经济状况"), "case.submit": t("提交审核"), "declaration.record": t("自我申报"), "referral.create": t("新建转介"), "referral.update": t("转介进展"), "conflict.resolve": t("处理冲突") };
// The kind of evidence a file's content type says it is (the server decides from its bytes).
const KIND_OF_TYPE = { image: "photo", video: "video", audio: "audio" };
const RETAKE = { photo: t("放弃并重新拍照"), video: t("放弃并重新录像"), audio: t("放弃并重新录音") };
const labels = () => JSON.parse(document.getElementById("field-labels")?.textContent || "{}");

export function currentCaseId() {
  return new URLSearchParams(location.search).get("case") || location.pathname.match(/\/field\/cases\/([0-9a-f-]{36})/)?.[1]
    || document.querySelector("[data-field] [data-case-id]")?.dataset.caseId || null;
}

function fill(id, data) {
  const node = document.getElementById(id).content.cloneNode(true);
  for (const el of node.querySelectorAll("[data-slot]")) {
    const value = data[el.dataset.slot];
    if (value !== undefined && value !== null) el.textContent = value;
  }
  for (const el of node.querySelectorAll("[data-slot-href]")) el.href = data[el.dataset.slotHref];
  return node;
}

function replace(list, nodes) {
  if (!list) return;
  if (!nodes.length) {
    for (const li of list.querySelectorAll(":scope > :not(.empty)")) li.remove();
    list.querySelector(".empty")?.removeAttribute("hidden");
    return;
  }
  list.replaceChildren(...nodes);
}

async function localState() {
  const list = (await entries()).filter((e) => OPEN.includes(e.state));
  const households = new Map();
  for (const r of await all("records", "type")) if (r.type === "household") households.set(r.id, r.data);
  for (const e of list) if (e.name === "household.upsert") households.set(e.args.id, e.args);
  return { list, households };
}

function caseSummary(entry, households) {
  const household = households.get(entry.args.household_id) || {};
  const applicant = (household.members || []).find((m) => m.relation === "self")?.name || household.applicant || "";
  return { ...entry.args, applicant, address: household.address || "", type: labels().types?.[entry.args.type] || entry.args.type, state: STATE[entry.state], href: `/field/cases/${entry.args.id}` };
}

// What can be done about a file the server refused for good: set it aside (it is lost from the
// device, so the worker confirms), or set it aside and capture it anew where it was captured (its
// task's page, or the capture page of its case); one damaged on the way may be sent again as it is.
function refusedActions(li, m, { tasks, named, cases }, refresh) {
  const box = li.querySelector("[data-media-actions]");
  box.hidden = false;
  const question = named.has(m.id) ? t("放弃这个文件？它将从本机删除，无法恢复；等待它的答复会被退回，需要重新答复。") : t("放弃这个文件？它将从本机删除，无法恢复。");
  const discarded = async () => confirm(question) && (await discardFile(m.id), true);
  box.querySelector("[data-act=discard]").onclick = async () => (await discarded()) && refresh();
  const where = tasks.has(m.id) ? `/field/tasks/${tasks.get(m.id)}` : `/field/capture?case=${m.case_id}`;
  Object.assign(box.querySelector("[data-act=retake]"), { textContent: RETAKE[m.kind] || RETAKE.photo, onclick: async () => (await discarded()) && location.assign(where) });
  Object.assign(box.querySelector("[data-act=reupload]"), {
    hidden: m.code !== "hash_mismatch",
    // The phone's copy is checked first: a damaged one is not sent, and says so.
    onclick: async () => ((await uploadAgainNow(m.id)) ? document.dispatchEvent(new Event("doorstep:sync")) : refresh()),
  });
  const attach = async (changes) => (await attachAgain(m.id, changes), document.dispatchEvent(new Event("doorstep:sync")), refresh());
  const again = m.code === NOT_ATTACHED && reattachment(m);
  Object.assign(box.querySelector("[data-act=reattach]"), { hidden: !again, textContent: again?.label || "", onclick: () => attach(again.changes) });
  if (m.code === NOT_ATTACHED && m.field === "case_id") otherCase(box, m, cases, attach);
}

// A file whose case was not found (or is not in the worker's scope) may be attached to another of
// the worker's cases instead, chosen on the outbox page (its template tpl-other-case).
function otherCase(box, m, cases, attach) {
  const choices = cases.filter((c) => c.id !== m.case_id);
  if (!choices.length || !document.getElementById("tpl-other-case")) return;
  const node = fill("tpl-other-case", {}).firstElementChild;
  const select = node.querySelector("select");
  select.append(...choices.map((c) => new Option([c.applicant, c.address, c.type].filter(Boolean).join(" · "), c.id)));
  node.querySelector("[data-act=attach-other]").onclick = () => attach({ case_id: select.value });
  box.after(node);
}

// Where the phone can mend what made the server reject a file's attach: a declared kind its content
// contradicts becomes the kind of its content; a case not found (e.g. created offline and sent back,
// then corrected) may be there now. Other causes (an id already used, …) leave set aside or retake.
const contentKind = (m) => KIND_OF_TYPE[String(m.type).split("/")[0]];
function reattachment(m) {
  const kind = contentKind(m);
  if (m.field === "kind" && kind && kind !== m.kind) return { label: t("改作{kind}重新附加", { kind: KIND[kind] }), changes: { kind } };
  if (m.field === "case_id") return { label: t("重新附加"), changes: {} };
  return null;
}

// Which task each file was captured for (tasks.js remembers them), the files that an answer
// still to be sent names, and the worker's cases as the server sent them (in their scope).
async function evidenceUse(list, households) {
  const tasks = new Map();
  for (const row of await all("meta")) {
    if (row.key.startsWith(TASK_EVIDENCE)) for (const id of row.value || []) tasks.set(id, row.key.slice(TASK_EVIDENCE.length));
  }
  const cases = (await all("records", "type", "case")).map((r) => caseSummary({ args: r.data }, households));
  return { tasks, named: new Set(list.filter((e) => e.state === "pending").flatMap((e) => e.args?.evidence || [])), cases };
}

let objectUrls = [];
function renderMedia(list, media, use, refresh) {
  objectUrls.forEach((url) => URL.revokeObjectURL(url));
  objectUrls = [];
  replace(list, media.map((m) => {
    const state = m.code === NOT_ATTACHED ? t("未附加") : STATE[m.state];
    const node = fill("tpl-local-media", { ...m, kind: KIND[m.kind], size: formatBytes(m.size), state: state + (m.reason ? ` · ${t(m.reason)}` : "") });
    const li = node.firstElementChild;
    li.dataset.mediaId = m.id;
    li.dataset.state = m.state;
    const url = URL.createObjectURL(m.blob);
    objectUrls.push(url);
    const shown = contentKind(m) || m.kind; // what the file is, even where the worker declared otherwise
    const preview = shown === "photo" ? Object.assign(document.createElement("img"), { src: url, alt: m.note || KIND.photo })
      : Object.assign(document.createElement(shown === "audio" ? "audio" : "video"), { src: url, controls: true, preload: "metadata" });
    li.querySelector("[data-slot-preview]").append(preview);
    if (m.state === "failed") refusedActions(li, m, use, refresh);
    return li;
  }));
}

export function renderProgress(root = document) {
  let sent = 0;
  let total = 0;
  for (const [id, p] of progress) {
    sent += p.sent;
    total += p.total;
    for (const bar of root.querySelectorAll(`[data-media-id="${id}"] [data-slot-progress]`)) Object.assign(bar, { hidden: false, value: Math.round((100 * p.sent) / p.total) });
  }
  const totalBar = root.querySelector("[data-total-progress]");
  if (totalBar && total) {
    totalBar.value = Math.round((100 * sent) / total);
    root.querySelector("[data-total-text]").textContent = `${formatBytes(sent)} / ${formatBytes(total)}`;
  }
}

function renderOutbox(list, open, refresh) {
  if (list.querySelector("textarea")) return; // a person is fixing an item: leave the list alone
  replace(list, open.map((e) => {
    const node = fill("tpl-outbox-item", { state: STATE[e.state], label: ACTION[e.name] || e.name, created_at: e.created_at.slice(0, 16).replace("T", " "), reason: t(e.reason), args: JSON.stringify(e.args, null, 1) });
    const li = node.firstElementChild;
    li.dataset.state = e.state;
    li.dataset.name = e.name;
    li.querySelector("[data-slot=reason]").hidden = !e.reason;
    const settled = e.state !== "pending";
    const button = (act, show, handler) => Object.assign(li.querySelector(`[data-act=${act}]`), { hidden: !show, onclick: handler });
    button("retry", !settled, () => document.dispatchEvent(new Event("doorstep:sync")));
    button("discard", settled || e.mutation_id == null, async () => {
      // An attach set aside takes its file with it: nothing would attach it any more.
      const file = await attachedFile(e);
      if (!confirm(file ? t("放弃这条记录？它的文件将从本机删除，无法恢复。") : t("放弃这条记录？"))) return;
      await (file ? attachDiscarded(e.id) : discard(e.id));
      refresh();
    });
    button("fix", settled, () => {
      const pre = li.querySelector("pre");
      const editor = Object.assign(document.createElement("textarea"), { value: pre.textContent, rows: 8 });
      const save = Object.assign(document.createElement("button"), { type: "button", className: "primary", textContent: t("保存并重发") });
      save.onclick = async () => {
        try {
          await fix(e.id, JSON.parse(editor.value));
        } catch {
          alert(t("内容格式不正确"));
          return;
        }
        editor.remove();
        document.dispatchEvent(new Event("doorstep:sync"));
        refresh();
      };
      li.querySelector("details").open = true;
      pre.replaceWith(editor, save);
    });
    return li;
  }));
}

export async function renderLocal(root = document, refresh = () => renderLocal(root)) {
  const { list, households } = await localState();
  const caseId = currentCaseId();
  const cases = list.filter((e) => e.name === "case.create");
  replace(root.querySelector("[data-local-cases]"), cases.map((e) => fill("tpl-local-case", caseSummary(e, households))));

  const select = root.querySelector("select[data-households]");
  for (const [id, h] of households) {
    if (select && !select.querySelector(`option[value="${id}"]`) && list.some((e) => e.args.id === id)) {
      select.append(new Option(`${h.members?.[0]?.name || ""} · ${h.address} (${t("待同步")})`, id));
    }
  }

  const page = root.querySelector("[data-local-case-page]");
  if (page) {
    const entry = cases.find((e) => e.args.id === caseId);
    page.querySelector("[data-local-missing]").hidden = Boolean(entry);
    if (entry) {
      const summary = caseSummary(entry, households);
      for (const el of page.querySelectorAll(":scope > h1 [data-slot], :scope > section [data-slot]")) el.textContent = summary[el.dataset.slot] ?? "";
    }
  }
  const modes = labels().modes || {};
  const visits = list.filter((e) => e.name === "visit.record" && e.args.case_id === caseId);
  replace(root.querySelector("[data-local-visits]"), visits.map((e) => fill("tpl-local-visit", {
    ...e.args, state: STATE[e.state], mode: modes[e.args.mode] || e.args.mode, visited_at: e.args.visited_at.slice(0, 16).replace("T", " "), investigators: e.args.investigators.join(t("、")),
  })));
  const mediaList = root.querySelector("[data-local-media]");
  if (mediaList) {
    const media = (await all("media")).filter((m) => mediaList.hasAttribute("data-all-media") || m.case_id === caseId).sort((a, b) => a.created - b.created);
    renderMedia(mediaList, media, await evidenceUse(list, households), refresh);
  }
  await renderConflicts(root, caseId);
  const outbox = root.querySelector("[data-outbox-list]");
  if (outbox) renderOutbox(outbox, list, refresh);
  renderProgress(root);
}

