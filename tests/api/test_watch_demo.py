"""The demo's daily-report data: a roster proposed from the demo households, 14 days of checks."""

from __future__ import annotations

from datetime import timedelta

from server.clock import today
from server.dailycheck.tables import DailyCheck
from server.watch.tables import WatchEntry
from tests.api.test_sync_support import new_client_id, pull_all
from tests.support.auth import sign_in


async def test_demo_has_a_roster_and_fourteen_days_of_checks(client, demo):
    assert await WatchEntry.count() > 20
    days = {r["check_date"] for r in await DailyCheck.select(DailyCheck.check_date)}
    assert min(days) == today() - timedelta(days=13) and max(days) == today()
    await sign_in(client, "district", kind="desktop")
    page = await client.get("/dashboards/")
    assert page.status_code == 200 and "广州市天河区" in page.text and page.text.count("<rect") == 14
    report = await client.get("/dashboards/report.xlsx")
    assert report.status_code == 200 and report.content[:2] == b"PK"


async def test_demo_worker_pulls_their_roster_and_todays_checks(client, demo):
    await sign_in(client, "worker")
    _, changes = await pull_all(client, client_id=new_client_id())
    roster = [c["data"] for c in changes if c["kind"] == "watch"]
    checks = [c["data"] for c in changes if c["kind"] == "dailycheck"]
    assert roster and all(r["area"] == "440106004001" for r in roster)
    people = {r["person_id"] for r in roster}
    assert checks and all(c["person_id"] in people for c in checks)
    assert {c["date"] for c in checks} <= {today().isoformat(), (today() - timedelta(days=1)).isoformat()}
