"""The field app's first-load weight, measured with Chromium.

    .venv/bin/python bench/field_weight.py

A signed-in grid worker opens /field in a fresh phone-sized Chromium profile: the page, its
styles and scripts, the service worker and everything it precaches. Chromium says which URLs
went over the network (Resource Timing in the page and in the service worker, transferSize
> 0); each of those is fetched again here to report its size as served and gzip-compressed.
A module service worker's own imports (tus-js-client, the sync modules) are not in its Resource
Timing: they are found by following its static imports from /sw.js, and those the page did not
load already are listed with the shell.
Icons are left out, as are the sync API and the case pages cached after the first pull (data,
which grows with the caseload; printed separately). Prints figures; it is not a test.
"""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import re
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
PYTHON = str(REPO / ".venv" / "bin" / "python") if (REPO / ".venv").exists() else sys.executable
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TARGET_KB = 150


def refreshed_pages() -> set[str]:
    """The pages the sync client fetches again after each pull: APP_PAGES of sync-client.js, but
    /field, the page being loaded, which is counted with the app shell."""
    source = (REPO / "web" / "static" / "js" / "sync-client.js").read_text()
    listing = re.search(r"export const APP_PAGES = \[(.*?)\];", source, re.S).group(1)
    return set(re.findall(r'"([^"]+)"', listing)) - {"/field"}


SETUP = """
import asyncio
from server.db import migrate
from server.demo import load_demo
from server.accounts.sessions import create_session
from server.accounts.tables import User
async def main():
    await migrate()
    await load_demo()
    user = await User.select(User.id).where(User.username == "worker").first()
    print(await create_session(user["id"]))
asyncio.run(main())
"""
# A static import (`import x from "…"`, `import { a, b } from "…"`, `import "…"`) at the start of a line.
STATIC_IMPORT = re.compile(r"""^\s*import\s+(?:[^'"]*?\s+from\s+)?["']([^"']+)["']""", re.M)
ENTRIES = "performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map((e) => [e.name, e.transferSize])"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, token: str) -> bytes:
    request = urllib.request.Request(url, headers={"Cookie": f"doorstep_session={token}"})
    with urllib.request.urlopen(request) as response:
        return response.read()


def module_imports(entry: str, token: str) -> list[str]:
    """Every module `entry` imports, directly or through another, in the order found (the service
    worker fetches them when it is installed; a module service worker may not import() later)."""
    found, queue = [], [entry]
    while queue:
        url = queue.pop(0)
        for specifier in STATIC_IMPORT.findall(fetch(url, token).decode()):
            module = urllib.parse.urljoin(url, specifier)
            if module != entry and module not in found:
                found.append(module)
                queue.append(module)
    return found


def measure(base: str, token: str) -> tuple[list[str], list[str]]:
    """The URLs that went over the network on first load: (app shell, data)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, locale="zh-CN")
        context.add_cookies([{"name": "doorstep_session", "value": token, "url": base}])
        page = context.new_page()
        page.goto(f"{base}/field")
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null", timeout=30000)
        deadline = time.monotonic() + 30
        while not page.evaluate("import('/static/js/db.js').then((db) => db.getMeta('last_sync'))"):
            if time.monotonic() > deadline:
                raise SystemExit("the first sync did not finish")
            time.sleep(0.2)
        entries = page.evaluate(ENTRIES)
        for worker in context.service_workers:
            entries += worker.evaluate(ENTRIES)
        browser.close()
    shell, data = [f"{base}/sw.js"], []
    for url, transferred in entries:
        path = url[len(base):]
        if transferred == 0 or path.startswith("/static/icons/"):
            continue
        # The pages the sync client refreshes after a pull (the first /field is the page itself).
        refreshed = path.startswith(("/api/", "/field/cases/", "/field/paperwork")) or path in refreshed_pages()
        (data if refreshed or url in shell else shell).append(url)
    shell += [url for url in module_imports(f"{base}/sw.js", token) if url not in shell]
    return shell, data


def report(title: str, urls: list[str], base: str, token: str) -> tuple[int, int]:
    raw_total = gz_total = 0
    print(title)
    for url in urls:
        body = fetch(url, token)
        raw, gz = len(body), len(gzip.compress(body, 6))
        raw_total += raw
        gz_total += gz
        print(f"  {url[len(base):]:<48} {raw / 1024:7.1f} KB  gzip {gz / 1024:6.1f} KB")
    print(f"  {'total':<48} {raw_total / 1024:7.1f} KB  gzip {gz_total / 1024:6.1f} KB")
    return raw_total, gz_total


def main() -> None:
    port = free_port()
    base = f"http://localhost:{port}"
    env = {**os.environ, "DOORSTEP_HOME": tempfile.mkdtemp(prefix="doorstep-bench-weight-"), "PORT": str(port), "DOORSTEP_ORIGIN": base}
    env.pop("DATABASE_URL", None)
    token = subprocess.check_output([PYTHON, "-c", SETUP], env=env, cwd=REPO, text=True).strip().splitlines()[-1]
    server = subprocess.Popen([PYTHON, "-m", "server.cli", "serve", "--port", str(port), "--host", "127.0.0.1"], env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        shell, data = measure(base, token)
        raw, gz = report("App shell (first load of /field, service worker, its imports and its precache; icons excluded):", shell, base, token)
        report("Data fetched by the first sync (pages of the caseload, sync API), not counted:", data, base, token)
        verdict = "within" if gz <= TARGET_KB * 1024 else "OVER"
        print(f"\nfirst-load transfer: {gz / 1024:.1f} KB gzip-compressed ({raw / 1024:.1f} KB as served, uncompressed); target ≤ {TARGET_KB} KB compressed: {verdict}")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
