"""Which documents each case type still needs signed, and the document hash (pure functions)."""

from __future__ import annotations

from server.paperwork.rules import obligations_for
from server.paperwork.settings import load_paperwork_settings
from server.paperwork.signing import binding
from server.paperwork.snapshot import document_hash


def snap(case_type: str = "dibao", *, notes: str = "", members=None, visit=None, temporary=None) -> dict:
    members = members or [{"id": "p1", "name": "刘一", "relation": "self"}, {"id": "p2", "name": "刘二", "relation": "spouse"}]
    return {
        "case": {"type": case_type, "notes": notes, "worker_name": "王网格"},
        "members": members,
        "applicant": next((m for m in members if m["relation"] == "self"), members[0]),
        "visit": visit,
        "temporary": temporary or {},
        "decision": {"decided_by_name": "林审核"},
    }


def test_dibao_needs_four_documents_with_every_member_on_the_authorization():
    documents = dict(obligations_for(snap()))
    assert list(documents) == ["application", "commitment", "authorization", "home_visit"]
    assert [s["name"] for s in documents["authorization"]] == ["刘一", "刘二"]
    assert [s["role"] for s in documents["home_visit"]] == ["applicant", "investigator", "investigator"]


def test_home_visit_record_is_signed_by_members_present_and_both_investigators_of_the_visit():
    visit = {"investigator_1": "王网格", "investigator_2": "赵社工", "members_situation": "刘二接听视频"}
    documents = dict(obligations_for(snap(visit=visit)))
    assert [s["name"] for s in documents["home_visit"]] == ["刘二", "王网格", "赵社工"]


def test_proxy_application_adds_the_proxy_letter():
    assert "proxy" in dict(obligations_for(snap(notes="由女儿代为申请")))
    assert "proxy" not in dict(obligations_for(snap()))


def test_tekun_adds_the_written_statement():
    assert list(dict(obligations_for(snap("tekun")))) == ["application", "statement", "commitment", "authorization", "home_visit"]


def test_urgent_temporary_assistance_owes_staff_signatures_and_expense_driven_the_full_set():
    urgent = dict(obligations_for(snap("temporary", temporary={"kind": "urgent"})))
    assert list(urgent) == ["application", "commitment", "staff"]
    assert [s["name"] for s in urgent["staff"]] == ["王网格", "林审核"]
    assert "staff" not in dict(obligations_for(snap("temporary", temporary={"kind": "expense"})))


def test_extension_needs_the_commitment_and_referral_nothing():
    assert list(dict(obligations_for(snap("extension")))) == ["commitment"]
    assert obligations_for(snap("referral")) == []


def test_document_hash_changes_with_any_content_and_binding_with_any_part():
    data = snap()
    signers = [{"key": "person:p1", "name": "刘一", "role": "applicant"}]
    first = document_hash("application", "申请书", signers, data)
    assert first == document_hash("application", "申请书", signers, snap())
    assert first != document_hash("application", "申请书", signers, snap(notes="改过"))
    assert binding(first, "a", "t", "i") != binding(first, "b", "t", "i")


def test_due_days_is_a_setting():
    assert load_paperwork_settings({}).due_days == 30
    assert load_paperwork_settings({"DOORSTEP_PAPERWORK_DUE_DAYS": "45"}).due_days == 45
