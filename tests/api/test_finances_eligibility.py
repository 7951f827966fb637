"""The eligibility computation as the supervisor sees it: JSON, the HTML partial, snapshots."""

from __future__ import annotations

from tests.support.casework import id_number, signed_device


async def _worked_example(client):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("dibao")
    incomes = [{"kind": "wage", "amount": "2100.00"}, {"kind": "youfu", "amount": "600.00"}, {"kind": "basic_pension", "amount": "150.00"}]
    await worker.apply("finances.set", {"case_id": case_id, "incomes": incomes, "assets": [], "expenses": [{"kind": "illness", "amount": "300.00"}]})
    return worker, case_id


async def test_eligibility_of_the_worked_example_is_1560_with_the_example_standard(client, demo):
    worker, case_id = await _worked_example(client)
    body = (await worker.get(f"/api/cases/{case_id}/eligibility")).json()
    assert body["outcome"] == "eligible"
    assert body["per_capita_income"] == "600.00"
    assert body["amount"] == "1560.00"
    assert body["standard"]["dibao_standard"] == "1120.00" and body["standard"]["is_example"] is True
    assert any("（示例）" in v for v in body["rule_versions"])
    labels = {line["label"]: line for line in body["lines"]}
    assert labels["优抚金"]["note"] == "不计入家庭收入"
    assert labels["重病医疗支出"]["value"] == "−300.00"
    assert body["finances_version"] == 1


async def test_eligibility_is_recomputed_when_the_finances_change(client, demo):
    worker, case_id = await _worked_example(client)
    await worker.apply("finances.set", {"case_id": case_id, "expenses": []}, base_version=1)
    body = (await worker.get(f"/api/cases/{case_id}/eligibility")).json()
    assert body["per_capita_income"] == "700.00"
    assert body["amount"] == "1260.00"
    assert body["finances_version"] == 2


async def test_eligibility_partial_shows_the_lines_to_the_supervisor(client, demo):
    worker, case_id = await _worked_example(client)
    supervisor = await signed_device(client, "supervisor")
    fragment = await supervisor.get(f"/casework/cases/{case_id}/eligibility", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    html = fragment.text
    assert "<html" not in html
    assert 'data-outcome="eligible"' in html
    assert "1560.00" in html and "(1,120.00 − 600.00) × 3" in html
    assert "所用标准为示例值" in html
    page = await supervisor.get(f"/casework/cases/{case_id}/eligibility")
    assert "<html" in page.text and "1560.00" in page.text


async def test_eligibility_of_another_street_is_not_found(client, demo):
    worker, case_id = await _worked_example(client)
    stranger = await signed_device(client, "worker3")
    assert (await stranger.get(f"/api/cases/{case_id}/eligibility")).status_code == 404
    assert (await stranger.get(f"/casework/cases/{case_id}/eligibility")).status_code == 404


async def test_snapshot_keeps_the_result_even_after_the_inputs_change(client, demo):
    worker, case_id = await _worked_example(client)
    supervisor = await signed_device(client, "supervisor")
    stored = await supervisor.post(f"/api/cases/{case_id}/eligibility/snapshots", json={"purpose": "decision"})
    assert stored.status_code == 201, stored.text
    snapshot_id = stored.json()["snapshot_id"]
    await worker.apply("finances.set", {"case_id": case_id, "incomes": [{"kind": "wage", "amount": "9000"}]}, base_version=1)
    kept = (await supervisor.get(f"/api/eligibility/snapshots/{snapshot_id}")).json()
    assert kept["result"]["amount"] == "1560.00"
    assert kept["inputs"]["standard"]["dibao_standard"] == "1120.00"
    assert kept["inputs"]["finances"]["incomes"][0]["amount"] == "2100.00"
    assert (await supervisor.get(f"/api/cases/{case_id}/eligibility")).json()["outcome"] == "ineligible"


async def test_snapshot_is_for_supervisors_only(client, demo):
    worker, case_id = await _worked_example(client)
    assert (await worker.post(f"/api/cases/{case_id}/eligibility/snapshots", json={})).status_code == 403


async def test_tekun_eligibility_for_an_elder_living_alone(client, demo):
    worker = await signed_device(client, "worker")
    elder = [{"name": "陈桂英", "id_number": id_number(7, "19480101"), "relation": "self"}]
    case_id = await worker.new_case("tekun", members=elder)
    activities = {"eating": True, "dressing": False, "bed_transfer": False, "toileting": True, "indoor_walking": True, "bathing": False}
    await worker.apply("finances.set", {"case_id": case_id, "incomes": [{"kind": "elderly_allowance", "amount": "100"}], "assets": [], "tekun": {"supporters": "none", "daily_activities": activities}})
    body = (await worker.get(f"/api/cases/{case_id}/eligibility")).json()
    assert body["outcome"] == "eligible" and body["amount"] == "1792.00"
    assert [c["passed"] for c in body["checks"][:3]] == [True, True, True]
    tier = next(line for line in body["lines"] if line["label"] == "照料护理等级")
    assert tier["value"] == "部分丧失生活自理能力"


async def test_temporary_eligibility_for_a_migrant_worker(client, demo):
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("temporary", members=[{"name": "刘勇", "id_number": id_number(9, "19900101", "510104"), "relation": "self"}], hukou_type="non_local")
    await worker.apply("finances.set", {"case_id": case_id, "temporary": {"kind": "urgent", "severity": "serious", "reason": "封控期间停工"}})
    body = (await worker.get(f"/api/cases/{case_id}/eligibility")).json()
    assert body["amount"] == "2240.00"
    assert any(line["value"] == "非本地户籍" for line in body["lines"])


async def test_eligibility_without_a_standard_in_force_says_so(client, demo):
    from server.standards.tables import Standard

    worker, case_id = await _worked_example(client)
    await Standard.delete(force=True)
    answer = await worker.get(f"/api/cases/{case_id}/eligibility")
    assert answer.status_code == 404
    assert answer.json()["field"] == "standard" and "没有生效的救助标准" in answer.json()["reason"]


async def test_eligibility_partial_in_english(client, demo):
    worker, case_id = await _worked_example(client)
    client.cookies.set("lang", "en")
    page = await worker.get(f"/casework/cases/{case_id}/eligibility", headers={"HX-Request": "true", "Accept-Language": "en"})
    assert "Eligibility computation" in page.text
    assert "Dibao amount (difference to the standard)" in page.text
    assert "Special care payments (优抚金)" in page.text
