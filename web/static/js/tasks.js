// The worker's tasks (退回补充) as the device knows them: the open tasks pulled from the server
// (records of kind "task") less those answered on this device and not yet pulled back. Renders
// the count badge, marks tasks answered here on the list, and closes the answer form of a task
// answered here (the page itself may come from the cache, rendered before the answer).
import { all, getMeta } from "./db.js";
import { entries } from "./outbox.js";

const ANSWERED_HERE = ["pending", "done"];

async function answeredHere() {
  return new Set((await entries()).filter((e) => e.name === "task.answer" && ANSWERED_HERE.includes(e.state)).map((e) => e.args.id));
}

// The open tasks (of `userId` only, when given) the device knows, less those answered here.
export async function openTasks(userId) {
  const answered = await answeredHere();
  const tasks = (await all("records", "type")).filter((r) => r.type === "task").map((r) => r.data);
  const wanted = (t) => t.status === "open" && !answered.has(t.id) && (userId === undefined || String(t.assigned_to) === String(userId));
  return { answered, open: tasks.filter(wanted) };
}

// On a case page: the open requests for that case, each a link to answer it.
function renderCaseTasks(list, open) {
  const caseId = list.closest("[data-case]")?.dataset.case;
  const mine = open.filter((t) => t.case_id === caseId);
  list.hidden = !mine.length;
  list.replaceChildren(...mine.map((t) => {
    const li = document.createElement("li");
    const link = Object.assign(document.createElement("a"), { href: `/field/tasks/${t.id}` });
    const badge = Object.assign(document.createElement("span"), { className: "badge warn", textContent: "待答复" });
    const request = Object.assign(document.createElement("span"), { className: "block request", textContent: t.request });
    link.append(badge, " 退回补充", request);
    li.append(link);
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
    if (!answered.has(li.dataset.taskId)) continue;
    li.dataset.answeredHere = "1";
    const state = li.querySelector("[data-task-state]");
    state.textContent = "已答复，待同步";
    state.classList.replace("warn", "pending");
  }
  if (page && answered.has(page.dataset.task)) {
    page.querySelector("[data-task-open]").hidden = true;
    page.querySelector("[data-task-answered-here]").hidden = false;
  }
}
