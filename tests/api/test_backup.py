"""`doorstep backup`, `doorstep restore` and `doorstep check-media`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import asyncpg
import pytest

from server.operations.backup import restore
from server.settings import get_settings
from tests.support.casework import signed_device
from tests.support.media import clean_media, jpeg, upload  # noqa: F401  (clean_media is a fixture)

COUNT_SCRIPT = """
import asyncio, json, server
from server.households.tables import Household
from server.cases.tables import Case
from sync.epoch import current_epoch
async def main():
    print(json.dumps({"households": await Household.count(), "cases": await Case.count(), "epoch": await current_epoch()}))
asyncio.run(main())
"""


def doorstep(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args], capture_output=True, text=True, timeout=300, env={**os.environ, **(env or {})}
    )


def backup_folder(result: subprocess.CompletedProcess) -> Path:
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip().rsplit(" ", 1)[-1])


@pytest.fixture
async def empty_installation(tmp_path: Path):
    """The environment of a new, empty installation on this test run's engine; its PostgreSQL
    database is dropped afterwards."""
    env = {"DOORSTEP_HOME": str(tmp_path / "restored-home")}
    url = get_settings().storage.database_url
    if not url:
        yield env | {"DATABASE_URL": ""}
        return
    name = f"doorstep_restore_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        yield env | {"DATABASE_URL": url.rsplit("/", 1)[0] + f"/{name}"}
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def test_backup_restores_into_an_empty_home_with_data_media_and_a_new_epoch(client, demo, tmp_path, empty_installation):
    device = await signed_device(client, "worker")
    await device.new_case("dibao")
    photo = jpeg()
    _, response = await upload(client, photo, filetype="image/jpeg")
    assert response.status_code == 204

    folder = backup_folder(doorstep("backup", "--to", str(tmp_path / "backups")))
    manifest = json.loads((folder / "backup.json").read_text())
    assert manifest["media_files"] == 1 and manifest["engine"] == get_settings().storage.engine

    target = empty_installation
    restored = doorstep("restore", str(folder), env=target)
    assert restored.returncode == 0, restored.stderr
    assert "new sync epoch" in restored.stdout

    counts = json.loads(subprocess.run([sys.executable, "-c", COUNT_SCRIPT], capture_output=True, text=True, env={**os.environ, **target}, check=True).stdout)
    assert counts["households"] == 48 + 1 and counts["cases"] == 48 + 1
    assert counts["epoch"] != manifest["epoch"], "a restored server must announce a new epoch"
    check = doorstep("check-media", env=target)
    assert check.returncode == 0, check.stderr
    assert "checked 1 files" in check.stdout


async def test_restore_refuses_an_installation_that_holds_data(client, demo, tmp_path):
    folder = backup_folder(doorstep("backup", "--to", str(tmp_path)))
    result = doorstep("restore", str(folder))
    assert result.returncode == 2
    assert "--force" in result.stderr


async def test_device_keeps_its_outbox_across_a_restore(client, demo, tmp_path):
    device = await signed_device(client, "worker")
    case_before = await device.new_case("tekun")  # mutations 1 and 2, in the backup
    first = (await client.get("/api/sync/pull")).json()
    folder = backup_folder(doorstep("backup", "--to", str(tmp_path)))

    lost_case = await device.new_case("temporary")  # mutations 3 and 4: acknowledged, then lost
    await restore(folder, force=True)

    # The device's next pending mutation (5) is accepted although the server forgot 3 and 4.
    household_id = str(uuid.uuid4())
    answer = await device.push(
        "household.upsert",
        {"id": household_id, "area": "440106004001", "address": "石牌东路1号", "members": [{"name": "周平", "id_number": "11010519491231002X", "relation": "self"}]},
    )
    assert answer["status"] == "applied", answer

    pulled = (await client.get("/api/sync/pull", params={"cursor": first["cursor"], "limit": 1000})).json()
    assert pulled["epoch_changed"] and pulled["reset"]
    ids = {change["id"] for change in pulled["changes"]}
    assert case_before in ids and household_id in ids
    assert lost_case not in ids


async def test_check_media_reports_a_changed_and_a_missing_file(client, demo):
    await signed_device(client, "worker")
    first, second = jpeg(color=(1, 2, 3)), jpeg(color=(9, 9, 9))
    for data in (first, second):
        _, response = await upload(client, data, filetype="image/jpeg")
        assert response.status_code == 204
    blobs = sorted((get_settings().storage.media_dir / "blobs").rglob("*/*"))
    corrupted, removed = blobs
    with open(corrupted, "r+b") as handle:
        handle.seek(100)
        handle.write(b"\x00\x01\x02")
    removed.unlink()
    result = doorstep("check-media")
    assert result.returncode == 1
    assert f"hash mismatch): {corrupted.name}" in result.stderr
    assert f"missing): {removed.name}" in result.stderr
