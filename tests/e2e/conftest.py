"""Shared fixtures for the real-browser tests (Chromium driven by Playwright's sync API).

How to write an e2e test:

    import pytest
    from tests.e2e.conftest import run
    from tests.support.browser import add_virtual_authenticator, enroll, enrolled_page, phone_context

    pytestmark = pytest.mark.e2e

    def test_worker_does_something(live_server, browser, demo):
        link = run(make_invitation(...))              # database work: `run(coroutine)`
        context = phone_context(browser)              # 360×640, touch, zh-CN
        page = context.new_page()
        add_virtual_authenticator(page)               # CDP WebAuthn, platform + UV
        enroll(page, link)                            # enrolled and signed in, on "/"
        page.goto(f"{live_server}/somewhere")
        # or in one step: context, page, authenticator = enrolled_page(browser, link)

Rules of the house:
- e2e test functions are plain `def` (Playwright's sync API refuses to run inside a running
  asyncio loop, and pytest-asyncio keeps one session-wide loop for the async tests).
  Database setup from them goes through `run(coro)`, which runs the coroutine on a fresh loop
  in a helper thread; the tables are still emptied before every test by the suite's autouse
  fixture.
- `live_server` (session-wide) is `.venv/bin/python -m server.cli serve --port <free port>` in a
  subprocess with the same environment as the tests (DOORSTEP_HOME and DATABASE_URL come from
  the engine plugin, so the server and the test share the database), DOORSTEP_ORIGIN set to
  `http://localhost:PORT` (WebAuthn refuses IP origins, so always browse at localhost). The
  fixture yields that base URL once /healthz answers. Its output is in `live_server_log`.
- `browser` is Debian's Chromium (/usr/bin/chromium), headless, one for the run
  (`playwright_session`); every test gets fresh contexts, closed after it; `context` is a fresh
  desktop context; tests.support.browser has `phone_context(browser)` (360×640), `enrolled_page`,
  `add_virtual_authenticator`, `enroll`, `sign_in`, `sign_out`.
- `demo` is overridden here by a synchronous version (same data) for the same reason.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.support.browser import phone_context  # noqa: F401  (re-exported for the e2e tests)

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def run(awaitable):
    """Await a coroutine (or a Piccolo query) on a fresh event loop in a helper thread; returns its result."""

    async def wait():
        return await awaitable

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, wait()).result()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_python() -> str:
    """The interpreter that runs the server: the project's .venv when there is one."""
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _wait_healthy(base: str, process: subprocess.Popen, log_path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer /healthz within {timeout}s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def live_server_log() -> Path:
    handle, name = tempfile.mkstemp(prefix="doorstep-live-server-", suffix=".log")
    os.close(handle)
    return Path(name)


@pytest.fixture(scope="session")
def live_server(migrated, live_server_log):
    """Base URL (http://localhost:PORT) of a real Doorstep server sharing the test database."""
    port = free_port()
    base = f"http://localhost:{port}"
    env = {**os.environ, "PORT": str(port), "DOORSTEP_ORIGIN": base, "HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1"}
    with live_server_log.open("wb") as log:
        process = subprocess.Popen(
            [server_python(), "-m", "server.cli", "serve", "--port", str(port), "--host", "127.0.0.1"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_healthy(base, process, live_server_log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright driver and one headless Chromium from the system (never a downloaded one) for
    the run, started by the first browser test. While Playwright's sync API is alive it marks its
    event loop as running in the main thread (after every call), and pytest-asyncio could not
    run the suite's async fixtures then: between tests the mark is taken away (`playwright_instance`
    puts it back for a test's calls)."""
    manager = sync_playwright()
    playwright = manager.start()
    loop = asyncio._get_running_loop()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        session = {"playwright": playwright, "browser": browser, "loop": loop}
        asyncio._set_running_loop(None)
        yield session
    finally:
        asyncio._set_running_loop(loop)
        manager.__exit__(None, None, None)
        asyncio._set_running_loop(None)  # Playwright leaves its (closed) loop marked as running


@pytest.fixture
def playwright_instance(clean_database, playwright_session):
    """Playwright for one test: the run's driver, its loop marked as running for the test's calls
    and unmarked again before the suite's async fixtures are torn down."""
    asyncio._set_running_loop(playwright_session["loop"])
    try:
        yield playwright_session["playwright"]
    finally:
        asyncio._set_running_loop(None)


@pytest.fixture
def browser(playwright_instance, playwright_session) -> Browser:
    """The run's Chromium; a test opens contexts of its own (each a fresh profile: cookies,
    storage, service workers, offline state), and they are closed after it."""
    browser = playwright_session["browser"]
    if not browser.is_connected():  # it crashed: a new one for this test and the next
        browser = playwright_session["browser"] = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        for context in browser.contexts:
            context.close()


@pytest.fixture
def demo(clean_database):
    """The demo data (areas, users without passkeys, households), loaded synchronously so that
    it can come before or after `browser` in a test's arguments."""
    from server.db import get_engine
    from tests.support.database import DemoSnapshot

    return run(DemoSnapshot.load(get_engine()))


@pytest.fixture
def context(browser):
    """A fresh desktop-sized context for one test."""
    context = browser.new_context(locale="zh-CN")
    try:
        yield context
    finally:
        context.close()
