"""The `doorstep` command line, run as a user would run it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from server.accounts.tables import Invitation


def doorstep(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize("command", ["serve", "migrate", "demo", "invite", "areas"])
def test_every_command_has_help(command):
    result = doorstep(command, "--help")
    assert result.returncode == 0
    assert "usage: doorstep" in result.stdout


def test_unknown_command_fails_with_usage():
    result = doorstep("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_migrate_is_safe_to_repeat():
    for _ in range(2):
        result = doorstep("migrate")
        assert result.returncode == 0, result.stderr
        assert "up to date" in result.stdout


async def test_demo_loads_once_and_prints_enrollment_links():
    first = doorstep("demo", env={"PORT": "8765"})
    assert first.returncode == 0, first.stderr
    assert "demo loaded" in first.stdout
    links = re.findall(r"http://localhost:8765/enroll/[\w-]+", first.stdout)
    assert len(links) == 6
    second = doorstep("demo", "--no-links")
    assert "already loaded" in second.stdout
    assert "/enroll/" not in second.stdout


async def test_areas_json_lists_the_tree(demo):
    result = doorstep("areas", "--json")
    assert result.returncode == 0, result.stderr
    areas = json.loads(result.stdout)
    assert {"code": "440106004001", "name": "华师社区", "level": "community", "parent": "440106004"} in areas
    assert {"code": "440100", "name": "广州市", "level": "city", "parent": None} in areas
    text = doorstep("areas").stdout
    assert "    440106004  石牌街道" in text


async def test_invite_prints_a_one_time_link_valid_for_72_hours(demo):
    result = doorstep("invite", "--role", "grid_worker", "--area", "440106004002", "--name", "赵六")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"http://localhost:8000/enroll/[\w-]{20,}\n", result.stdout)
    invitation = await Invitation.select().where(Invitation.display_name == "赵六").first()
    hours = (invitation["expires_at"] - invitation["created_at"]).total_seconds() / 3600
    assert hours == 72
    assert invitation["used_at"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "grid_worker", "--area", "440106", "--name", "x"], "community"),
        (["--role", "grid_worker", "--area", "999", "--name", "x"], "找不到区域"),
        (["--role", "street_supervisor", "--area", "440106004", "--name", " "], "姓名"),
    ],
)
async def test_invite_refuses_bad_arguments_with_a_clear_message(demo, args, message):
    result = doorstep("invite", *args)
    assert result.returncode == 2
    assert message in result.stderr


def test_invite_refuses_an_unknown_role():
    result = doorstep("invite", "--role", "mayor", "--area", "440100", "--name", "x")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_serve_refuses_to_start_on_a_database_that_is_not_migrated(tmp_path):
    result = doorstep("serve", "--port", "8799", env={"DOORSTEP_HOME": str(tmp_path), "DATABASE_URL": ""})
    assert result.returncode == 2
    assert "doorstep migrate" in result.stderr


def test_serve_port_flag_moves_the_origin_with_it(tmp_path):
    """Passkeys check the origin: `serve --port P` must answer as http://localhost:P."""
    import socket
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DOORSTEP_ORIGIN", "PORT")}
    server = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://localhost:{port}/healthz", timeout=5) as response:
                    body = json.loads(response.read())
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.5)
        assert body["origin"] == f"http://localhost:{port}"
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert f"Doorstep 已启动: http://localhost:{port}" in output
    assert "127.0.0.1" not in output
