"""Which documents a case decided under the emergency procedure still needs signed, by whom.

From DOMAIN.md: 申请书 (the applicant), 家庭经济状况核对授权书 (every co-resident member),
承诺书 (the applicant), 入户调查表 (the family members present and both investigators), and
where they apply 委托书 (a proxy application) and the 特困 书面声明. Under 急难型 temporary
assistance the street aids first without verification and completes the staff's signatures
afterwards: those staff signatures are an obligation too. Pure functions over the snapshot.

A signer whose name is not known yet stands under a word for the role (调查人员一, 受托人, …),
marked N_ and kept in Chinese with the obligation (its document's hash covers it); the pages show
it in their language (the `stored` filter).
"""

from __future__ import annotations

from server.i18n import N_

PROXY_WORDS = ("委托", "代为申请", "代办", "代理申请")


def is_proxy(snapshot: dict) -> bool:
    """A proxy application. The case has no field for it yet: the worker says so in the case notes
    (e.g. "由女儿代为申请"), or the household lists no applicant (relation `self`)."""
    notes = snapshot["case"].get("notes") or ""
    return any(word in notes for word in PROXY_WORDS) or not any(m["relation"] == "self" for m in snapshot["members"])


def _person(member: dict, role: str) -> dict:
    return {"key": f"person:{member['id']}", "name": member["name"], "role": role}


def _investigators(snapshot: dict) -> list[dict]:
    visit = snapshot.get("visit") or {}
    names = [n for n in (visit.get("investigator_1"), visit.get("investigator_2")) if n]
    if not names:
        names = [snapshot["case"].get("worker_name") or N_("调查人员一")]
    while len(names) < 2:
        names.append(N_("调查人员二"))
    return [{"key": f"investigator:{i + 1}", "name": name, "role": "investigator"} for i, name in enumerate(names[:2])]


def _present(snapshot: dict, applicant: dict) -> list[dict]:
    """The family members present at the visit: those the visit record names, else the applicant."""
    situation = (snapshot.get("visit") or {}).get("members_situation") or ""
    named = [m for m in snapshot["members"] if m["name"] and m["name"] in situation]
    return [_person(m, "member" if m["id"] != applicant["id"] else "applicant") for m in (named or [applicant])]


def obligations_for(snapshot: dict) -> list[tuple[str, list[dict]]]:
    """[(document kind, signers)] for the case in the snapshot."""
    case_type = snapshot["case"]["type"]
    members = snapshot["members"]
    if case_type == "referral" or not members:
        return []
    applicant = snapshot["applicant"]
    signer = [_person(applicant, "applicant")]
    everyone = [_person(m, "applicant" if m["id"] == applicant["id"] else "member") for m in members]
    if case_type == "extension":
        return [("commitment", signer)]
    documents: list[tuple[str, list[dict]]] = [("application", signer)]
    if is_proxy(snapshot):
        documents.append(("proxy", signer + [{"key": "proxy", "name": snapshot["case"].get("proxy_name") or N_("受托人"), "role": "proxy"}]))
    if case_type == "tekun":
        documents.append(("statement", signer))
    documents.append(("commitment", signer))
    urgent = case_type == "temporary" and (snapshot.get("temporary") or {}).get("kind") == "urgent"
    if urgent:
        staff = [{"key": "staff", "name": snapshot["case"].get("worker_name") or N_("经办人"), "role": "staff"},
                 {"key": "approver", "name": snapshot["decision"].get("decided_by_name") or N_("审批人"), "role": "approver"}]
        documents.append(("staff", staff))
        return documents
    documents.append(("authorization", everyone))
    documents.append(("home_visit", _present(snapshot, applicant) + _investigators(snapshot)))
    return documents
