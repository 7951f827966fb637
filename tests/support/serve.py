"""`doorstep serve` as a child process of a test: started, killed (SIGKILL) and started again on
the same port, or stopped; and waiting until it answers /healthz."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.media import REPO, free_port
from tests.support.processes import process_tree


class Server:
    """`doorstep serve` as a child process on a fixed port, started again after each kill."""

    def __init__(self, env: dict | None = None, workers: int = 1) -> None:
        self.workers = workers
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.env = {**os.environ, **(env or {}), "PORT": str(self.port), "DOORSTEP_ORIGIN": self.url}
        self.process: subprocess.Popen | None = None
        self.log = Path(self.env["DOORSTEP_HOME"]) / f"serve-{self.port}.log"

    async def start(self) -> None:
        command = [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port), "--workers", str(self.workers)]
        self.process = subprocess.Popen(command, cwd=REPO, env=self.env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT)
        await wait_healthy(self.url, self.process, self.log)
        # Another program on this machine may have taken the port while this server was down;
        # then /healthz answered for it, and this server could not bind.
        for _ in range(100):
            if listens_on(self.process.pid, self.port):
                return
            assert self.process.poll() is None, f"the server exited: {self.log.read_text()[-2000:]}"
            await asyncio.sleep(0.1)
        raise AssertionError(f"port {self.port} is answered by another process than this server")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


def listens_on(pid: int, port: int) -> bool:
    """Whether the process or one of its descendants (the server's workers) holds a listening TCP
    socket on the port (from /proc)."""
    inodes = set()
    for member in process_tree(pid):
        try:
            descriptors = list(Path(f"/proc/{member}/fd").iterdir())
        except OSError:
            continue
        for fd in descriptors:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A" and fields[9] in inodes:
                return True
    return False


async def wait_healthy(url: str, process: subprocess.Popen | None = None, log: Path | None = None, attempts: int = 1200) -> None:
    """Until /healthz answers 200 (it answers 503 while the database does not)."""
    async with httpx.AsyncClient() as http:
        for _ in range(attempts):
            try:
                if (await http.get(f"{url}/healthz", timeout=2)).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if process is not None and process.poll() is not None:
                raise AssertionError(f"the server exited: {log.read_text()[-2000:] if log else ''}")
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} did not become healthy")
