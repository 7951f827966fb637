"""A PostgreSQL server of the test's own (initdb in a temporary folder, a free port), so that a
test may stop and restart it without touching the machine's shared server.

Uses Debian's binaries of the installed PostgreSQL (package `postgresql`, which `make test`
installs). They refuse to run as root, so as root they run as the `postgres` user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.support.media import free_port

BIN_ROOT = Path("/usr/lib/postgresql")


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's bin folder; a missing one fails the test, never skips it."""
    found = sorted(BIN_ROOT.glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    assert found, f"no PostgreSQL server binaries under {BIN_ROOT}: install Debian's postgresql package (make test does)"
    return found[-1].parent


class PrivatePostgres:
    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.root = Path(tempfile.mkdtemp(prefix="doorstep-private-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/doorstep"
        self.admin_url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"

    def _command(self, *command: str) -> list[str]:
        return [*(["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []), *command]

    def _run(self, *command: str) -> None:
        result = subprocess.run(self._command(*command), capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, f"{' '.join(command)} failed: {result.stdout}{result.stderr}"

    def _pg_ctl(self, *args: str) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "server.log"), "-w", *args)

    def start(self) -> PrivatePostgres:
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self._pg_ctl("-o", self.options, "start")
        return self

    def stop(self, mode: str = "immediate") -> None:
        self._pg_ctl("-m", mode, "stop")

    def restart(self, mode: str = "immediate") -> None:
        """`immediate`: every backend dies at once, as in a crash; recovery replays the WAL."""
        self._pg_ctl("-m", mode, "restart")

    def resume(self) -> None:
        """Start again after stop() with the options of the first start."""
        self._pg_ctl("-o", self.options, "start")

    def destroy(self) -> None:
        stop = self._command(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        subprocess.run(stop, capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)
