// What the device knows of one case: the pulled records, with what the outbox still holds on
// top (a case created offline, finances saved offline, a declaration or referral not yet sent).
import { caseConflicts } from "./conflicts.js";
import { all, get } from "./db.js";
import { entries } from "./outbox.js";

const record = async (type, id) => (await get("records", `${type}:${id}`))?.data;
const ofCase = async (type, caseId) => (await all("records", "type", type)).map((r) => r.data).filter((d) => d.case_id === caseId);
const concerns = (e, caseId) => e.args?.case_id === caseId || e.args?.id === caseId;

// Finances as the form shows them: the pulled document, then every unsent (or refused, to be
// corrected) save over it.
function financesOf(pulled, outbox, caseId) {
  const data = structuredClone(pulled?.data || {});
  for (const e of outbox) if (e.name === "finances.set" && e.args.case_id === caseId && e.state !== "conflict") Object.assign(data, sections(e.args));
  return data;
}

export const sections = ({ case_id, base_version, ...rest }) => rest;

export async function caseState(caseId) {
  const outbox = (await entries()).filter((e) => e.state !== "discarded");
  const open = outbox.filter((e) => e.state === "pending" || e.state === "rejected" || e.state === "conflict");
  let kase = await record("case", caseId);
  const created = outbox.find((e) => e.name === "case.create" && e.args.id === caseId);
  if (!kase && created) kase = { ...created.args, status: "draft", local: true };
  if (!kase) return null;
  const pendingHousehold = open.filter((e) => e.name === "household.upsert" && e.args.id === kase.household_id).at(-1)?.args;
  const household = pendingHousehold || (await record("household", kase.household_id)) || null;
  const pulledFinances = await record("finances", caseId);
  const declarations = [...(await ofCase("declaration", caseId)), ...open.filter((e) => e.name === "declaration.record" && e.args.case_id === caseId && e.state === "pending").map((e) => ({ ...e.args, status: "pending", local: true }))];
  const referrals = [...(await ofCase("referral", caseId)), ...open.filter((e) => e.name === "referral.create" && e.args.case_id === caseId && e.state === "pending").map((e) => ({ ...e.args, status: "referred", local: true }))];
  for (const e of open) {
    const referral = e.name === "referral.update" && e.state === "pending" && referrals.find((r) => r.id === e.args.id);
    if (referral) Object.assign(referral, { status: e.args.status, status_on: e.args.on, local: true });
  }
  const submitting = open.find((e) => e.name === "case.submit" && e.args.case_id === caseId && e.state === "pending");
  return {
    case: kase,
    status: submitting ? "submitted" : kase.status,
    household,
    financesVersion: pulledFinances?.version ?? null,
    finances: financesOf(pulledFinances, open, caseId),
    declarations,
    referrals,
    evidence: await ofCase("evidence", caseId),
    // Mutations about this case the server refused (newest last): shown next to their field.
    rejected: open.filter((e) => (e.state === "rejected" || e.state === "conflict") && (concerns(e, caseId) || e.args?.id === kase.household_id)),
    outbox: open,
    // Conflicts of the case, its household and its finances (open, or decided and not yet confirmed).
    conflicts: await caseConflicts(caseId, kase.household_id),
  };
}
