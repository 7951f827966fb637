"""Text the server keeps in Chinese reads in the page's language where a page shows it: a reason
read back from a stored sync answer, inside a reason of its own, and the explanations of the
eligibility computation (kept as they are in a snapshot), and the words standing for a signer not
named yet. The API keeps the Chinese."""

from __future__ import annotations

from tests.api.test_paperwork_support import decided_case, declare_emergency, obligations_of
from tests.api.test_review_field_tasks import attach_push, returned_case, task_and_case
from tests.api.test_sync_support import new_client_id
from tests.support.auth import sign_in
from tests.support.casework import signed_device
from tests.support.media import clean_media, mp4, upload  # noqa: F401  (clean_media: an empty media folder)

ENGLISH = {"accept-language": "en-GB,en;q=0.9"}


async def _answer_form(client, task_id: str, evidence_id: str, headers: dict | None = None):
    form = {"_csrf_token": client.headers["x-csrftoken"], "_next": "/field/tasks", "id": task_id, "answer": "已补充厨房视频", "evidence.0": evidence_id}
    return await client.post("/field/forms/task.answer", data=form, headers=headers or {}, follow_redirects=False)


async def test_stored_refusal_of_an_attach_reads_in_english_on_the_answer_forms_page(client, demo):
    """The attach's reason is read back from its stored sync answer (a filled-in template, a plain
    string by then) and named inside the answer's own reason: both in English on an English page."""
    made, task_id = await returned_case(client)
    await sign_in(client, "worker")
    video = mp4()
    await upload(client, video)
    evidence_id, attached = await attach_push(client, new_client_id(), 1, made["case_id"], video, kind="photo")
    assert attached["status"] == "rejected" and attached["reason"] == "文件内容是视频（video/mp4），与声明的照片不符。"

    english = await _answer_form(client, task_id, evidence_id, ENGLISH)
    assert english.status_code == 400
    assert "Evidence no. 1 was refused by the server (The file&#39;s content is Video (video/mp4), not the Photo that was declared.)" in english.text
    assert "文件内容是" not in english.text and "与声明的" not in english.text
    chinese = await _answer_form(client, task_id, evidence_id)
    assert chinese.status_code == 400
    assert "第 1 份证据已被服务器拒绝（文件内容是视频（video/mp4），与声明的照片不符。），不会再到达" in chinese.text
    assert await task_and_case(task_id, made["case_id"]) == ("open", "returned")


async def test_low_income_explanation_reads_in_english_on_the_eligibility_page(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    await worker.apply("finances.set", {"case_id": case_id, "incomes": [{"kind": "wage", "amount": "3900.00"}], "assets": [], "expenses": []})
    body = (await worker.get(f"/api/cases/{case_id}/eligibility")).json()
    threshold = next(line for line in body["lines"] if line["label"] == "低收入家庭认定标准")
    assert threshold["note"] == "1.5 × 1,120.00；低于低收入家庭认定标准：可认定为低收入家庭，或转介其他帮扶"  # the API: Chinese

    supervisor = await signed_device(client, "supervisor")
    english = (await supervisor.get(f"/casework/cases/{case_id}/eligibility", headers={"HX-Request": "true", **ENGLISH})).text
    assert "1.5 × 1,120.00; Below the low-income threshold: may be recognised as a low-income household" in english
    assert "低于低收入家庭认定标准" not in english
    chinese = (await supervisor.get(f"/casework/cases/{case_id}/eligibility", headers={"HX-Request": "true"})).text
    assert "1.5 × 1,120.00；低于低收入家庭认定标准：可认定为低收入家庭，或转介其他帮扶" in chinese


async def test_temporary_assistance_severity_reads_in_english_on_the_case_page(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("temporary")
    await worker.apply("finances.set", {"case_id": case_id, "temporary": {"kind": "urgent", "severity": "serious", "reason": "封控期间停工"}})
    supervisor = await signed_device(client, "supervisor")
    english = await supervisor.get(f"/review/cases/{case_id}", headers=ENGLISH)
    assert english.status_code == 200, english.text
    assert "Serious: 2 × 1,120.00" in english.text and "较重" not in english.text
    chinese = (await supervisor.get(f"/review/cases/{case_id}")).text
    assert "较重：2 × 1,120.00" in chinese


async def test_signers_not_named_yet_read_in_english_on_the_document_pages(client, demo):
    """Without a visit record or an assigned worker, the home visit form's investigators are kept as
    调查人员一 and 调查人员二 (in the document's hash); the pages show those words in English. A
    person's name is shown as it is."""
    await declare_emergency(client)
    made = await decided_case(client, name="孙阿婆", worker=None)
    home_visit = next(r for r in await obligations_of(made["case_id"]) if r["kind"] == "home_visit")
    assert [s["name"] for s in home_visit["signers"]] == ["孙阿婆", "调查人员一", "调查人员二"]

    await sign_in(client, "supervisor", kind="desktop")
    listing = (await client.get(f"/paperwork/cases/{made['case_id']}", headers=ENGLISH)).text
    assert "孙阿婆, First investigator, Second investigator" in listing
    page = (await client.get(f"/paperwork/{home_visit['id']}", headers=ENGLISH)).text
    assert "<td>First investigator</td>" in page and "<td>Second investigator</td>" in page and "<td>孙阿婆</td>" in page
    assert "调查人员一" not in listing + page
    chinese = (await client.get(f"/paperwork/{home_visit['id']}")).text
    assert "<td>调查人员一</td>" in chinese and "<td>调查人员二</td>" in chinese
