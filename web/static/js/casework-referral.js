// Referrals of a case (referral.create, referral.update): each with its status and next step,
// and a new one; a step the server refused shows why beside its field.
import { formArgs } from "./forms.js";
import { t } from "./i18n.js";
import { enqueue, resent, update } from "./outbox.js";
import { dateError } from "./casework-rules.js";
import { caseState } from "./casework-state.js";
import { checkFields, labels, onChange, onSubmit, refusals, referralArgs, referralErrors, showErrors, syncSoon, today } from "./casework-form.js";

const NEXT_STEPS = { referred: ["received", "returned"], received: ["done", "returned"] };

function renderReferrals(section, state) {
  const statuses = labels("referral-labels").statuses || {};
  const items = state.referrals.map((r) => {
    const li = document.getElementById("tpl-referral").content.firstElementChild.cloneNode(true);
    const org = r.organisation || document.querySelector(`#r-org option[value="${r.organisation_id}"]`)?.dataset.name || "";
    const slot = (name, text) => { li.querySelector(`[data-slot=${name}]`).textContent = text; };
    slot("status", (r.local ? `${t("待同步")} · ` : "") + (statuses[r.status] || r.status) + (r.overdue ? ` · ${t("已逾期")}` : ""));
    slot("organisation", org);
    slot("dates", r.referred_on ? t("转介 {referred} · 期限 {due}", { referred: r.referred_on, due: r.due_on }) : "");
    slot("reason", r.reason);
    slot("contact", `${r.contact_name} ${r.contact_phone}`);
    li.dataset.referral = r.id;
    const step = li.querySelector("form");
    const next = NEXT_STEPS[r.status] || [];
    step.hidden = !next.length;
    step.querySelector("select").replaceChildren(...next.map((s) => new Option(statuses[s] || s, s)));
    step.querySelector("[name=on]").value = today();
    // A step the server refused (and nothing sent since): its reason beside the field, or on the card.
    const refused = state.outbox.filter((e) => e.args.id === r.id && e.name.startsWith("referral.")).at(-1);
    const why = refused && t("服务器退回：{reason}", { reason: t(refused.reason) });
    if (refused?.state === "rejected" && !showErrors(step, [{ field: refused.result?.field || "status", reason: why }], { summary: false }) && !step.querySelector(".field-error")) {
      Object.assign(li.querySelector("[data-slot=error]"), { hidden: false, textContent: why });
    }
    step.addEventListener("submit", async (e) => {
      e.preventDefault();
      const args = formArgs(step);
      const errors = checkFields(step);
      if (!errors.length && dateError(args.on, { notAfter: today() })) errors.push({ field: "on", reason: dateError(args.on, { notAfter: today() }) });
      if (args.status === "returned" && !args.note) errors.push({ field: "note", reason: t("请填写退回原因") });
      if (!showErrors(step, errors)) return;
      for (const e of state.outbox) if (e.state === "rejected" && e.args.id === r.id) await update(e.id, { state: "discarded" });
      await enqueue("referral.update", { id: r.id, expected_status: r.status, status: args.status, on: args.on, note: args.note || "" });
      syncSoon();
    });
    return li;
  });
  const list = section.querySelector("[data-list]");
  if (items.length) list.replaceChildren(...items);
}

async function saveReferral(form, state) {
  const args = formArgs(form);
  if (!showErrors(form, [...checkFields(form), ...referralErrors(args.referral || {})])) return;
  for (const e of state.rejected) if (e.name === "referral.create") await update(e.id, { state: "discarded", reason: resent(e.reason) });
  await enqueue("referral.create", referralArgs(args.referral, state.case.id));
  syncSoon();
  location.assign(`/field/cases/${state.case.id}`);
}

export async function enhanceReferral(form, state) {
  const section = document.querySelector("[data-referrals]");
  onChange(async () => renderReferrals(section, await caseState(state.case.id)));
  renderReferrals(section, state);
  // The form's fields are "referral.<arg>"; the server names the argument.
  showErrors(form, refusals(state, "referral.create").map((e) => ({ ...e, field: e.field && `referral.${e.field}` })), { summary: false });
  onSubmit(form, () => saveReferral(form, state));
}
