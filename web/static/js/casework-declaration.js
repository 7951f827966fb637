// The self-declaration of an extension (declaration.record): the 承诺书 text agreed to, and the
// evidence captured on this page (capture.js) or already synced, chosen by its SHA-256.
import { all } from "./db.js";
import { formArgs } from "./forms.js";
import { t } from "./i18n.js";
import { enqueue } from "./outbox.js";
import { caseState } from "./casework-state.js";
import { bool, checkFields, onChange, onSubmit, refusals, showErrors, syncSoon } from "./casework-form.js";

const KIND = { audio: t("录音"), video: t("视频"), photo: t("照片") };

async function renderEvidenceChoices(form, caseId) {
  const list = form.querySelector("[data-evidence-choices]");
  const chosen = form.querySelector("[name=_evidence]:checked")?.value;
  const media = (await all("media", "case_id", caseId)).map((m) => ({ sha256: m.sha256, kind: m.kind, at: m.captured_at }));
  const pulled = (await all("records", "type", "evidence")).map((r) => r.data).filter((d) => d.case_id === caseId).map((d) => ({ sha256: d.sha256, kind: d.kind, at: d.captured_at }));
  const items = [...new Map([...pulled, ...media].filter((m) => KIND[m.kind]).map((m) => [m.sha256, m])).values()].sort((a, b) => (a.at < b.at ? -1 : 1));
  if (!items.length) return;
  list.replaceChildren(...items.map((m, i) => {
    const li = document.createElement("li");
    li.innerHTML = `<label class="choice"><input type="radio" name="_evidence"> <span></span></label>`;
    Object.assign(li.querySelector("input"), { value: m.sha256, checked: chosen ? chosen === m.sha256 : i === items.length - 1 });
    li.querySelector("input").dataset.kind = m.kind;
    li.querySelector("span").textContent = `${KIND[m.kind]} · ${String(m.at).slice(0, 16).replace("T", " ")} · ${m.sha256.slice(0, 12)}`;
    return li;
  }));
}

function renderDeclarations(section, declarations) {
  section.hidden = !declarations.length;
  section.querySelector("[data-list]").replaceChildren(...declarations.map((d) => {
    const li = Object.assign(document.createElement("li"), { className: `card${d.local ? " local" : ""}` });
    const until = d.extended_until ? t("延期至 {date}，届时复核", { date: d.extended_until }) : t("延期期限待应急状态结束后确定");
    li.textContent = `${d.local ? t("待同步") : { pending: t("待审核"), approved: t("已批准"), rejected: t("未批准") }[d.status] || d.status} · ${KIND[d.evidence?.kind] || ""} · ${until}`;
    return li;
  }));
}

async function saveDeclaration(form, state) {
  const args = formArgs(form);
  const errors = checkFields(form);
  if (!args.content) errors.push({ field: "content", reason: t("请填写承诺内容") });
  if (!bool(args.agreed)) errors.push({ field: "agreed", reason: t("申报人须同意承诺内容后才能记录") });
  const evidence = form.querySelector("[name=_evidence]:checked");
  if (!evidence) errors.push({ field: "evidence", reason: t("请附上申报人同意的证据（录音、视频或手写承诺照片）") });
  if (!showErrors(form, errors)) return;
  const body = { id: args.id, case_id: state.case.id, content: args.content, agreed: true, evidence: { kind: evidence.dataset.kind, ref: evidence.value } };
  if (args.declared_at) body.declared_at = args.declared_at;
  if (args.emergency_ends_on) body.emergency_ends_on = args.emergency_ends_on;
  await enqueue("declaration.record", body);
  syncSoon();
  location.assign(`/field/cases/${state.case.id}`);
}

export async function enhanceDeclaration(form, state) {
  const refresh = async () => {
    renderDeclarations(document.querySelector("[data-declarations]"), (await caseState(state.case.id)).declarations);
    await renderEvidenceChoices(form, state.case.id);
  };
  onChange(refresh);
  await refresh();
  showErrors(form, refusals(state, "declaration.record"), { summary: false });
  onSubmit(form, () => saveDeclaration(form, state));
}
