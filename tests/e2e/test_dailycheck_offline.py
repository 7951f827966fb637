"""The daily check in Chromium at phone size: a roster of 30 checked offline, then synced."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from server.clock import today
from server.dailycheck.tables import DailyCheck
from tests.api.test_watch_support import HUASHI, NANFANG, demo_places, household, watch
from tests.e2e.conftest import run
from tests.e2e.phone import field_ready, poll, signed_in_phone, wait_for_worker, wait_until

pytestmark = pytest.mark.e2e

ROSTER = 30
UNCHECKED_BACKGROUND = "rgb(253, 236, 234)"  # daily.css: people not yet checked stand out


async def thirty_people() -> list[str]:
    """30 people under watch in the worker's community, one in the next community."""
    await demo_places()
    ids = []
    for n in range(ROSTER):
        person, = await household(HUASHI, [{"name": f"关注对象{n:02d}", "age": 70 + n % 20}], address=f"石牌东路{n + 1}号")
        await watch(person, "elderly_alone", added=today() - timedelta(days=2))
        ids.append(str(person))
    other, = await household(NANFANG, [{"name": "南方社区的人", "age": 80}])
    await watch(other, "elderly_alone", added=today() - timedelta(days=2))
    return ids


def states(page) -> list[str]:
    return page.eval_on_selector_all("[data-daily-list] [data-person-id]", "items => items.map(li => li.dataset.state)")


def test_worker_checks_a_roster_of_thirty_offline_and_it_syncs(live_server, browser):
    people = run(thirty_people())
    context = signed_in_phone(browser, live_server)
    page = context.new_page()
    page.goto(f"{live_server}/field/daily/")
    wait_for_worker(page)
    # The first sync pulled the roster, and both daily pages are in the page cache.
    poll(page, """async () => { const { all } = await import('/static/js/db.js');
        const c = await caches.open('doorstep-pages');
        return (await all('records')).filter(r => (r.type || r.data?.kind) === 'watch').length === 30
            && Boolean(await c.match('/field/daily') && await c.match('/field/daily/check')); }""", timeout_s=40)
    page.reload()
    field_ready(page)
    assert states(page) == ["unchecked"] * ROSTER  # only the worker's community
    first = page.locator("[data-daily-list] [data-person-id]").first
    assert first.locator("a").evaluate("a => getComputedStyle(a).backgroundColor") == UNCHECKED_BACKGROUND

    context.set_offline(True)
    started = time.monotonic()
    for n in range(ROSTER):
        page.locator("[data-daily-list] [data-state=unchecked] a").first.click()
        page.wait_for_url("**/field/daily/check?person=*")
        field_ready(page)
        if n == 0:  # one person with a need; everyone else is well
            detailed = page.url.rsplit("=", 1)[1]
            page.get_by_label("身体不适").check()
            page.get_by_label("药品").check()
            page.fill("[name=service]", "代购降压药")
            page.get_by_label("上门（不入户）").check()
            page.click("[data-details]")
        else:
            page.click("[data-all-well]")
        page.wait_for_url("**/field/daily")
        field_ready(page)
    elapsed = time.monotonic() - started
    poll(page, "document.querySelector('[data-count-checked]').textContent === '30'", timeout_s=40)
    assert states(page) == ["pending"] * ROSTER
    assert run(DailyCheck.count()) == 0  # nothing has left the phone
    assert elapsed < 300, f"30 checks took {elapsed:.0f}s"

    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_until(page, lambda: run(DailyCheck.count()) >= ROSTER, lambda: f"{run(DailyCheck.count())} of {ROSTER} checks reached the server", every_ms=500)
    rows = run(DailyCheck.select())
    assert len(rows) == ROSTER and {str(r["person"]) for r in rows} == set(people)
    assert all(r["check_date"] == today() for r in rows)
    need = next(r for r in rows if str(r["person"]) == detailed)
    assert (need["health"], need["needs"], need["service"], need["contact_method"], need["all_well"]) == ("unwell", "medicine", "代购降压药", "door", False)
    assert sum(1 for r in rows if r["all_well"]) == ROSTER - 1
    # After the pull the phone shows everyone as checked, from the server's records.
    poll(page, "[...document.querySelectorAll('[data-daily-list] [data-person-id]')].every(li => li.dataset.state === 'checked')", timeout_s=40)
    page.reload()
    field_ready(page)
    assert states(page) == ["checked"] * ROSTER
    context.close()
