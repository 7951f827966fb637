"""A sync the network cut short is tried again by the page on its own. The connection stays up
(the browser says it is online, so no "online" event will come), Background Sync is never started
in the tests (tests.support.browser.NO_BACKGROUND_SYNC), and nobody taps 立即同步."""

from __future__ import annotations

import uuid

import pytest

from server.visits.tables import Visit
from tests.e2e.conftest import run
from tests.e2e.phone import first_case_of, ready, record_visit, signed_in_phone, wait_until

pytestmark = pytest.mark.e2e


def test_a_push_the_network_cut_short_is_sent_again_without_the_worker(live_server, browser, demo):
    case_id = first_case_of("worker")
    context = signed_in_phone(browser, live_server)
    try:
        page = context.new_page()
        ready(page, live_server)
        pushes: list[str] = []

        def lose_the_first(route):
            pushes.append("cut" if not pushes else "sent")
            if pushes[-1] == "cut":
                route.abort("connectionreset")  # a weak signal: the request never reaches the server
            else:
                route.continue_()

        page.route("**/api/sync/push", lose_the_first)
        record_visit(page, live_server, case_id, "赵社工")
        wait_until(page, lambda: pushes, "the visit's push")
        assert page.evaluate("navigator.onLine")  # the browser never saw the connection go
        visits = lambda: run(Visit.count().where(Visit.case == uuid.UUID(case_id)))  # noqa: E731
        wait_until(page, lambda: visits() == 1, "the visit sent again", timeout_s=45)
        assert pushes[0] == "cut" and "sent" in pushes
        wait_until(page, lambda: page.evaluate("document.querySelector('[data-pending-count]').textContent") == "0", "the outbox emptied")
        assert visits() == 1
    finally:
        context.close()
