"""A conflict over the 特困 checklist names each of the six daily activities with its answer, as
the form asks it (吃饭：能 / 不能), on the supervisor's case page and in the words every field page
hands the phone, in Chinese and in English; never a bare row of 是/否."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

from server.sync_api.conflict_words import conflict_answers
from sync.tables import SyncConflict
from tests.api.test_conflict_labels import ENGLISH, field_labels
from tests.api.test_conflict_resolution_paths import as_supervisor_on_the_web
from tests.support.auth import sign_in
from tests.support.casework import signed_device

SERVER = {"supporters": "unable", "daily_activities": {"eating": True, "dressing": False}}
DEVICE = {"supporters": "none", "daily_activities": {"eating": False, "dressing": False, "bathing": True}}


async def tekun_conflict(client) -> str:
    """A 特困 case whose checklist the worker's phone and the server answered differently."""
    worker = await signed_device(client, "worker")
    case_id = await worker.new_case("tekun")
    await SyncConflict.insert(SyncConflict(
        conflict_id=str(uuid.uuid4()), kind="finances", record_id=case_id, area_path="440100/440106/440106004/440106004001/",
        fields={"tekun": {"server": SERVER, "device": DEVICE}}, base_version=1,
        server_version=2, status="open", client_id="c1", mutation_id=3, user_id=1, created_at=datetime.now(timezone.utc),
    ))
    return case_id


async def conflict_row(client, case_id: str, headers: dict | None = None) -> tuple[str, str]:
    """The server's and the device's value of the conflict's one row on the supervisor's case page."""
    await as_supervisor_on_the_web(client)
    page = (await client.get(f"/review/cases/{case_id}", headers=headers or {})).text
    row = page[page.index('id="conflicts"'):].split("<tbody>")[1].split("</tbody>")[0]
    server, device = (cell.split("</label>")[0].split(">", 1)[1].strip() for cell in row.split('class="check">')[1:])
    return server, device


def parts(cell: str, supporters: str) -> list[str]:
    """The activities of a cell in the order shown, after taking out the supporters' words (the
    engine may keep the checklist's keys in another order: jsonb sorts them)."""
    assert cell.count(supporters) == 1, cell
    return cell.replace(supporters, "").strip().split("；" if "；" in cell else "; ")


async def test_case_page_names_each_daily_activity_with_its_answer(client, demo):
    case_id = await tekun_conflict(client)
    server, device = await conflict_row(client, case_id)
    assert parts(server, "义务人无赡养、抚养、扶养能力") == ["吃饭：能", "穿衣：不能"]
    assert parts(device, "无法定赡养、抚养、扶养义务人") == ["吃饭：不能", "穿衣：不能", "洗澡：能"]  # the form's order


async def test_case_page_names_each_daily_activity_in_english(client, demo):
    case_id = await tekun_conflict(client)
    server, device = await conflict_row(client, case_id, ENGLISH)
    assert parts(server, "Supporters unable to support") == ["Eating: Can", "Dressing: Cannot"]
    assert parts(device, "No legal supporter") == ["Eating: Cannot", "Dressing: Cannot", "Bathing: Can"]


async def test_field_pages_hand_the_phone_each_activity_with_its_answer(client, demo):
    await sign_in(client, "worker")
    chinese = field_labels((await client.get("/field/casework/new")).text)["conflicts"]["answers"]
    assert chinese["tekun"]["eating"] == {"true": "吃饭：能", "false": "吃饭：不能"}
    assert set(chinese["tekun"]) == {"eating", "dressing", "bed_transfer", "toileting", "indoor_walking", "bathing"}
    english = field_labels((await client.get("/field/casework/new", headers=ENGLISH)).text)["conflicts"]["answers"]
    assert english["tekun"]["indoor_walking"] == {"true": "Walking indoors: Can", "false": "Walking indoors: Cannot"}
    assert set(conflict_answers()) == {"tekun"}
