"""The field app in real Chromium at phone size: offline work, reload, restart, sync, uploads."""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from PIL import Image
from playwright.async_api import async_playwright

from server.accounts.sessions import COOKIE_NAME, create_session
from server.accounts.tables import User
from server.cases.tables import Case
from server.households.idnumber import check_character
from server.households.tables import Household
from server.visits.tables import Visit

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
]
PHONE = {"width": 360, "height": 640}
APPLICANT_ID = "44010619500315002" + check_character("44010619500315002")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url():
    """Doorstep in a process of its own, on the test database, at http://localhost:PORT."""
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DOORSTEP_ORIGIN": f"http://localhost:{port}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "server.app:create_app", "--factory", "--host", "127.0.0.1", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError("the live server did not start")
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
async def playwright():
    async with async_playwright() as p:
        yield p


async def open_phone(playwright, profile: Path):
    context = await playwright.chromium.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, headless=True, args=ARGS, viewport=PHONE,
        is_mobile=True, has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai",
    )
    if os.environ.get("FIELD_E2E_DEBUG"):
        context.on("console", lambda m: print("console:", m.type, m.text, file=sys.stderr))
        context.on("weberror", lambda e: print("weberror:", e.error, file=sys.stderr))
        context.on("requestfailed", lambda r: print("failed:", r.method, r.url, r.failure, file=sys.stderr))
    return context


async def sign_in(context, url: str, username: str) -> None:
    user = await User.select(User.id).where(User.username == username).first()
    token = await create_session(user["id"])
    expires = time.time() + 30 * 86400
    await context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": url, "expires": expires, "httpOnly": True}])


async def ready(page, url: str) -> None:
    """Open the caseload online and wait until the service worker controls the page and the
    first sync has cached the app's pages and the caseload's case pages."""
    await page.goto(f"{url}/field")
    await page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=20000)
    await poll(page, """async () => { const { getMeta } = await import('/static/js/db.js');
        const c = await caches.open('doorstep-pages');
        return Boolean(await getMeta('last_sync') && await c.match('/field/visit') && await c.match('/field/capture')); }""")


async def poll(page, script: str, timeout_s: float = 30) -> None:
    """Wait until an async script answers true (wait_for_function does not await promises)."""
    deadline = time.monotonic() + timeout_s
    while not await page.evaluate(script):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_s}s: {script}")
        await asyncio.sleep(0.25)


async def field_ready(page) -> None:
    """The page's script has rendered what the device holds and wired the forms."""
    await page.wait_for_selector("html[data-field-ready]", state="attached")


def photo_png(width=3000, height=2000) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


def video_mp4(size: int) -> bytes:
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free"
    return head + os.urandom(size - len(head))


async def local_media(page) -> list[dict]:
    return await page.evaluate(
        """async () => { const { all } = await import('/static/js/db.js');
           return (await all('media')).map(({ blob, ...m }) => m); }"""
    )


async def visit_offline(page, url: str, tmp_path: Path, video: bytes) -> str:
    """Create a household, a case and a visit with photo, audio and video, all offline; answers the case id."""
    await page.click("text=新建家庭")
    await page.wait_for_url("**/field/households/new")
    await field_ready(page)
    await page.fill("#h-address", "天河北路 12 号 3 栋 401 房")
    await page.fill("#m0-name", "周秀英")
    await page.fill("#m0-id", APPLICANT_ID)
    await page.click("button:has-text('保存')")
    await page.wait_for_url("**/field/cases/new?household=*")
    await field_ready(page)
    await page.select_option("#c-type", "dibao")
    await page.click("button:has-text('保存')")
    await page.wait_for_url(re.compile(r".*/field/cases/[0-9a-f-]{36}$"))
    case_id = page.url.rsplit("/", 1)[1]
    await field_ready(page)
    await page.click("text=记录入户走访")
    await page.wait_for_url("**/field/visit?case=*")
    await field_ready(page)
    await page.check("text=电话")
    await page.fill("#v-inv2", "赵社工")
    await page.fill("#v-members", "申请人独居，患高血压")
    await page.fill("#v-notes", "电话中确认了用药情况")
    await page.click("button:has-text('保存走访记录')")
    await page.wait_for_url(f"**/field/cases/{case_id}")
    await field_ready(page)
    await page.click("text=采集证据")
    await page.wait_for_url("**/field/capture?case=*")
    await field_ready(page)
    photo = tmp_path / "kitchen.png"
    photo.write_bytes(photo_png())
    await page.set_input_files("[data-capture-photo]", str(photo))
    await page.wait_for_selector("text=照片已保存")
    await page.click("[data-rec-start]")
    await page.wait_for_timeout(1500)
    await page.click("[data-rec-stop]")
    await page.click("[data-rec-save]:not([disabled])")
    await page.wait_for_selector("text=录音已保存")
    clip = tmp_path / "room.mp4"
    clip.write_bytes(video)
    await page.set_input_files("[data-capture-video]", str(clip))
    await page.wait_for_selector("text=视频已保存")
    return case_id


async def expect_everything_local(page, url: str, case_id: str) -> None:
    await page.goto(f"{url}/field")
    await page.wait_for_selector("[data-local-cases] >> text=周秀英")
    await page.goto(f"{url}/field/cases/{case_id}")
    await page.wait_for_selector("[data-local-visits] >> text=电话")
    await page.wait_for_selector("[data-local-visits] >> text=赵社工")
    kinds = await page.locator("[data-local-media] [data-slot=kind]").all_inner_texts()
    assert sorted(kinds) == sorted(["照片", "录音", "视频"])


async def wait_synced(page, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        left = await page.evaluate(
            """async () => { const { all } = await import('/static/js/db.js');
               const open = (await all('outbox')).filter((e) => e.state === 'pending');
               return open.length + (await all('media')).length; }"""
        )
        if left == 0:
            return
        await page.click("[data-sync-now]")
        await asyncio.sleep(1)
    state = await page.evaluate(
        """async () => { const { all, getMeta } = await import('/static/js/db.js');
           return { outbox: (await all('outbox')).map((e) => [e.name, e.state, e.reason]),
                    media: (await all('media')).map((m) => [m.kind, m.state, m.reason]), error: await getMeta('last_error') }; }"""
    )
    raise AssertionError(f"the outbox did not empty: {state}")


async def test_offline_visit_survives_reload_and_restart_then_arrives_once(playwright, server_url, demo, tmp_path):
    url = server_url
    profile = tmp_path / "profile"
    context = await open_phone(playwright, profile)
    await sign_in(context, url, "worker")
    page = context.pages[0]
    await ready(page, url)

    await context.set_offline(True)
    video = video_mp4(400_000)
    case_id = await visit_offline(page, url, tmp_path, video)
    captured = {m["kind"]: m for m in await local_media(page)}
    assert set(captured) == {"photo", "audio", "video"}
    assert captured["photo"]["type"] == "image/jpeg"
    assert captured["video"]["sha256"] == hashlib.sha256(video).hexdigest()
    assert captured["video"]["size"] == len(video)

    await page.reload()
    await expect_everything_local(page, url, case_id)

    await context.close()
    context = await open_phone(playwright, profile)
    await context.set_offline(True)
    page = context.pages[0]
    await expect_everything_local(page, url, case_id)
    assert await Case.count().where(Case.id == case_id) == 0  # nothing left the device yet

    await context.set_offline(False)
    await wait_synced(page)
    case = await Case.select().where(Case.id == case_id).first()
    assert case is not None and case["type"] == "dibao"
    household = await Household.select().where(Household.id == case["household"]).first()
    assert household["address"] == "天河北路 12 号 3 栋 401 房"
    visits = await Visit.select().where(Visit.case == case_id)
    assert len(visits) == 1 and visits[0]["mode"] == "phone" and visits[0]["investigator_2"] == "赵社工"
    await assert_evidence_arrived_once(case_id, captured)

    await page.click("[data-sync-now]")  # another sync changes nothing
    await asyncio.sleep(2)
    assert await Visit.count().where(Visit.case == case_id) == 1
    await assert_evidence_arrived_once(case_id, captured)
    await context.close()


async def assert_evidence_arrived_once(case_id: str, captured: dict) -> None:
    from server.evidence.tables import Evidence

    rows = await Evidence.select().where(Evidence.case == case_id)
    assert sorted(r["sha256"] for r in rows) == sorted(m["sha256"] for m in captured.values())
    assert sorted(r["kind"] for r in rows) == ["audio", "photo", "video"]
