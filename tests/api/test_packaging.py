"""A plain (non-editable) install carries everything Doorstep needs to run."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import json, sys
import server
assert server.__file__.startswith(sys.argv[1]), server.__file__
from server.cli import main
assert main(["migrate"]) == 0
from litestar.testing import TestClient
from server.app import create_app
with TestClient(create_app(), base_url="http://localhost:8000") as client:
    assert client.get("/healthz").json()["status"] == "ok"
    assert json.loads(client.get("/manifest.json").text)["display"] == "standalone"
    assert client.get("/static/vendor/htmx-2.0.11.min.js").status_code == 200
    page = client.get("/", headers={"accept-language": "en"}).text
    assert "Sign in with a passkey" in page, page
print("installed doorstep works")
"""


def test_wheel_installs_a_working_doorstep_with_its_files(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), str(ROOT)],
        check=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("doorstep-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "server/app.py",
        "sync/registry.py",
        "web/templates/base.html",
        "web/static/vendor/htmx-2.0.11.min.js",
        "web/static/icons/icon-maskable-512.png",
        "web/manifest.json",
        "web/locales/en/LC_MESSAGES/messages.mo",
    ):
        assert required in names, required
    assert any(n.startswith("server/cases/piccolo_migrations/cases_") for n in names)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "doorstep = server.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()

    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        timeout=300,
    )
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PICCOLO_CONF")}
    env.update(PYTHONPATH=str(target), DOORSTEP_HOME=str(home))
    result = subprocess.run(
        [sys.executable, "-c", CHECK, str(target)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "installed doorstep works" in result.stdout
    assert (home / "doorstep.sqlite3").exists()
