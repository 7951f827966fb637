"""The grid worker's phone in the e2e tests: the steps the field-app tests share, so that each
test reads as its story.

    with synced_phone(playwright_instance, live_server, tmp_path) as (context, page):
        ...                                   # enrolled by passkey, first sync done, pages cached
        context.set_offline(True)
        capture_photo(page, photo_file(tmp_path / "kitchen.png"))
        context.set_offline(False)
        wait_synced(page)

- `open_phone` is a persistent profile (a restart keeps the outbox); `signed_in_phone` a fresh
  phone context carrying a session cookie, when the passkey is not the subject.
- `field_ready` waits for the page on screen to be wired by field.js (data-field-ready).
- `poll` awaits an async script (Playwright's wait_for_function does not await promises);
  `wait_until` waits for a check made in Python (a list a route handler fills, a row on the server).
- `wait_synced` returns once nothing is left to send and the sync that sent it has pulled too;
  `sync_once` runs one whole sync and awaits it.
- Wait for the event an assertion is about, not for one that comes before it (the phone records an
  upload before it pushes the attach, the server commits before the phone hears so), and never
  take a timed pause as proof that something did or did not happen.
"""

from __future__ import annotations

import io
import os
import time
from contextlib import contextmanager
from pathlib import Path

from PIL import Image

from server.accounts.invitations import create_invitation
from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import User
from server.cases.tables import Case
from server.evidence.tables import Evidence
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, run
from tests.support.browser import NO_BACKGROUND_SYNC, PHONE, add_virtual_authenticator, enroll, phone_context

MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom\x00\x00\x00\x08free"
WORKER_CONTROLS = "navigator.serviceWorker && navigator.serviceWorker.controller !== null"


def open_phone(playwright, profile: Path):
    """A phone-sized Chromium on a persistent profile (installability and restarts need one);
    Background Sync asked for but never started (NO_BACKGROUND_SYNC)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS + MEDIA_ARGS,
        viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai",
    )
    context.add_init_script(NO_BACKGROUND_SYNC)
    return context


def enroll_worker(context, base: str, username: str = "worker"):
    """Enroll a passkey for a demo worker through an invitation; answers the page, signed in."""
    user = run(User.select(User.id, User.display_name, User.area.code.as_alias("area")).where(User.username == username).first())
    token, _ = run(create_invitation(display_name=user["display_name"], role="grid_worker", area_code=user["area"], user_id=user["id"]))
    page = context.pages[0] if context.pages else context.new_page()
    add_virtual_authenticator(context, page)
    enroll(page, f"{base}/enroll/{token}")
    return page


@contextmanager
def synced_phone(playwright, base: str, tmp_path: Path, username: str = "worker"):
    """The worker's phone, enrolled by passkey, with its first sync done and the field pages
    cached for offline use: (context, page); the phone is closed afterwards."""
    context = open_phone(playwright, tmp_path / "profile")
    try:
        page = enroll_worker(context, base, username)
        ready(page, base)
        yield context, page
    finally:
        context.close()


def signed_in_phone(browser, base: str, username: str = "worker", **options):
    """A fresh phone context signed in by a session cookie (when the passkey is not the subject)."""
    user = run(User.select(User.id).where(User.username == username).first())
    context = phone_context(browser, timezone_id="Asia/Shanghai", **options)
    context.add_cookies([{"name": COOKIE_NAME, "value": run(create_session(user["id"])), "url": base, "httpOnly": True}])
    return context


def poll(page, script: str, timeout_s: float = 60):
    """Wait until an async script answers something truthy (wait_for_function does not await)."""
    deadline = time.monotonic() + timeout_s
    while not (answer := page.evaluate(script)):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_s}s: {script}")
        page.wait_for_timeout(250)
    return answer


def wait_for_worker(page) -> None:
    """The service worker controls the page (it serves the pages offline from now on)."""
    page.wait_for_function(WORKER_CONTROLS, timeout=20000)


def ready(page, base: str) -> None:
    """Open the caseload online; wait for the service worker and the first sync's page cache."""
    page.goto(f"{base}/field")
    wait_for_worker(page)
    poll(page, """async () => { const { getMeta } = await import('/static/js/db.js');
        const c = await caches.open('doorstep-pages');
        return Boolean(await getMeta('last_sync') && await c.match('/field/visit') && await c.match('/field/capture')
            && await c.match('/field/casework/new')); }""")


def field_ready(page) -> None:
    """The page's script has rendered what the device holds and wired the forms."""
    page.wait_for_selector("html[data-field-ready]", state="attached")


def open_capture(page, base: str, case_id: str) -> None:
    """Open the capture page of a case and wait until it is wired."""
    page.goto(f"{base}/field/capture?case={case_id}")
    field_ready(page)


def go(page, link_text: str, url) -> None:
    """Tap a link and wait until the page it opens is wired."""
    page.click(f"text={link_text}")
    page.wait_for_url(url)
    field_ready(page)


def photo_file(path: Path, width: int = 3000, height: int = 2000, color=(30, 120, 200)) -> str:
    """Write a PNG photo of that size to `path`; answers its name."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def kitchen_photo(tmp_path: Path) -> str:
    """A photo of the kitchen (1200×900), as a supervisor asks for one."""
    return photo_file(tmp_path / "kitchen.png", 1200, 900, (200, 160, 90))


def broken_video(tmp_path: Path) -> str:
    """A recording the camera app left broken: named .mp4, its bytes no video at all (the server
    refuses it for good). 3 MiB, under the size that waits for Wi-Fi, so it uploads on any network."""
    path = tmp_path / "kitchen.mp4"
    path.write_bytes(b"\x00" * 64 + os.urandom(3 * 1024 * 1024))
    return str(path)


def video_mp4(size: int) -> bytes:
    """`size` bytes that start like an MP4 (the rest is random)."""
    return MP4_HEAD + os.urandom(size - len(MP4_HEAD))


def video_file(path: Path, size: int) -> str:
    path.write_bytes(video_mp4(size))
    return str(path)


def capture_photo(page, path: str) -> None:
    """Pick a photo on the capture box of the page on screen; wait until it is saved on the phone."""
    page.set_input_files("[data-capture-photo]", path)
    page.wait_for_selector("text=照片已保存")


def capture_video(page, path: str) -> None:
    page.set_input_files("[data-capture-video]", path)
    page.wait_for_selector("text=视频已保存")


def local_media(page) -> list[dict]:
    """The files the phone holds (without their bytes)."""
    return page.evaluate(
        """async () => { const { all } = await import('/static/js/db.js');
           return (await all('media')).map(({ blob, ...m }) => m); }"""
    )


LEFT_TO_SEND = """async () => { const { all } = await import('/static/js/db.js');
    return (await all('outbox')).filter((e) => e.state === 'pending').length + (await all('media')).length; }"""
DEVICE_STATE = """async () => { const { all, getMeta } = await import('/static/js/db.js');
    return { outbox: (await all('outbox')).map((e) => [e.name, e.state, e.reason]),
             media: (await all('media')).map((m) => [m.kind, m.state, m.reason]), error: await getMeta('last_error') }; }"""


def wait_until(page, done, failure, timeout_s: float = 60, *, step=None, every_ms: int = 250):
    """Wait until `done()`, a check made in Python (a list a route handler fills, a row on the
    server, a CDP event), is truthy, and answer it; the page's events go on meanwhile. `step()`, if
    given, is done before each pause; `failure` (or `failure()`) says what did not happen."""
    deadline = time.monotonic() + timeout_s
    while not (found := done()):
        if time.monotonic() > deadline:
            raise AssertionError(failure() if callable(failure) else failure)
        if step:
            step()
        page.wait_for_timeout(every_ms)
    return found


def sync_until(page, done, failure, timeout_s: float = 60) -> None:
    """Press 立即同步 every second until `done()` is true; `failure` (or `failure()`) says what
    did not happen."""
    wait_until(page, done, failure, timeout_s, step=lambda: page.click("[data-sync-now]"), every_ms=1000)


def sync_once(page) -> bool:
    """Sync as 立即同步 does (field.js `sync`) and await it: one whole sync (uploads, push, pull)
    that starts after this call, behind the one running if any. Answers whether it succeeded.
    Where a test proves that syncing again changes nothing, a timed wait after the button would
    not say whether that sync had run."""
    return page.evaluate("import('/static/js/field.js').then(({ sync }) => sync()).then((result) => result.ok)")


# True once no sync holds the phone's sync lock (sync-client.js runs one at a time under it);
# false if one still holds it after a minute.
SYNC_ENDED = """() => Promise.race([navigator.locks.request('doorstep-sync', () => true),
    new Promise((done) => setTimeout(() => done(false), 60000))])"""


def wait_synced(page, timeout_s: float = 60) -> None:
    """Press 立即同步 until nothing is pending and no evidence is left on the device, then wait
    for the sync that sent the last of it to end: the outbox empties with its push, and what the
    server answered comes with its pull after that (a conflict, another person's edit)."""
    sync_until(page, lambda: not page.evaluate(LEFT_TO_SEND), lambda: f"the outbox did not empty: {page.evaluate(DEVICE_STATE)}", timeout_s)
    assert page.evaluate(SYNC_ENDED), f"the sync did not end: {page.evaluate(DEVICE_STATE)}"


def record_visit(page, base: str, case_id: str, second_investigator: str, *, offline: bool = False) -> None:
    """Record a visit to a case on the phone (the worker and `second_investigator`), going offline
    just before saving if asked; back on the case page once it is in the outbox."""
    page.goto(f"{base}/field/visit?case={case_id}")
    field_ready(page)
    page.fill("#v-inv2", second_investigator)
    if offline:
        page.context.set_offline(True)
    page.click("button:has-text('保存走访记录')")
    page.wait_for_url(f"**/field/cases/{case_id}")
    field_ready(page)


def first_case_of(username: str) -> str:
    user = run(User.select(User.id).where(User.username == username).first())
    return str(run(Case.select(Case.id).where(Case.assigned_to == user["id"]).first())["id"])


def evidence_of(case_id: str) -> list[dict]:
    return run(Evidence.select(Evidence.sha256, Evidence.kind, Evidence.mime).where(Evidence.case == case_id))
