"""Evidence files and tus requests for the upload and evidence tests."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from PIL import Image

from server.accounts.sessions import COOKIE_NAME
from server.settings import get_settings

TUS = {"Tus-Resumable": "1.0.0"}
OCTETS = {"Content-Type": "application/offset+octet-stream"}
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_media():
    """Every test starts with an empty media directory (the database is emptied by conftest)."""
    import shutil

    shutil.rmtree(get_settings().storage.media_dir, ignore_errors=True)
    yield


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def jpeg(width: int = 640, height: int = 480, color=(200, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "JPEG", quality=90)
    return out.getvalue()


def mp4(size: int = 300_000) -> bytes:
    """An ISO-BMFF file head (ftyp mp42) followed by filler: enough for the type check."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    return head + os.urandom(size - len(head))


def ogg(size: int = 50_000) -> bytes:
    return b"OggS\x00\x02" + os.urandom(size - 6)


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def metadata(data: bytes | None = None, *, digest: str | None = None, filename: str = "a.bin", filetype: str = "") -> str:
    pairs = {"filename": filename, "sha256": digest if digest is not None else sha256(data or b"")}
    if filetype:
        pairs["filetype"] = filetype
    return ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in pairs.items())


def checksum(algorithm: str, data: bytes) -> str:
    return f"{algorithm} {base64.b64encode(hashlib.new(algorithm, data).digest()).decode()}"


async def create(client, data: bytes, *, filetype: str = "", length: int | None = None, digest: str | None = None):
    """POST a new upload; returns the response (Location names the upload)."""
    headers = TUS | {
        "Upload-Length": str(len(data) if length is None else length),
        "Upload-Metadata": metadata(data, digest=digest, filetype=filetype),
    }
    return await client.post("/api/uploads/", headers=headers)


async def send(client, url: str, offset: int, chunk: bytes, **extra):
    return await client.patch(url, content=chunk, headers=TUS | OCTETS | {"Upload-Offset": str(offset)} | extra)


async def upload(client, data: bytes, *, filetype: str = "", chunk_size: int = 256 * 1024) -> tuple[str, object]:
    """A whole upload in chunks; returns (url, last response)."""
    created = await create(client, data, filetype=filetype)
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    response = created
    for offset in range(0, len(data), chunk_size):
        response = await send(client, url, offset, data[offset : offset + chunk_size])
        if response.status_code != 204:
            break
    return url, response


def media_files(folder: str) -> list[Path]:
    root = get_settings().storage.media_dir / folder
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def auth_headers(client) -> dict[str, str]:
    """The signed-in client's session and CSRF token as plain headers, for clients like tuspy."""
    session = client.cookies.get(COOKIE_NAME)
    token = client.headers["x-csrftoken"]
    return {"Cookie": f"{COOKIE_NAME}={session}; csrftoken={token}", "x-csrftoken": token}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real `doorstep serve` process on this test run's database and media directory."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://localhost:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> LiveServer:
        env = dict(os.environ, PORT=str(self.port))
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(self.port)],
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                output = self.log.read().decode(errors="replace")[-2000:]
                raise RuntimeError(f"the server exited with {self.process.returncode}:\n{output}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            time.sleep(0.1)
        raise RuntimeError("the server did not start within 60 s")

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing, as in a power cut of the process."""
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid


@contextlib.contextmanager
def live_server():
    server = LiveServer().start()
    try:
        yield server
    finally:
        server.kill()


async def case_in(community_code: str):
    """The id of a demo case of a community."""
    from server.cases.tables import Case

    row = await Case.select(Case.id).where(Case.area.code == community_code).first()
    return row["id"]


async def current_user(client):
    """The signed-in client's user as the server sees it (for calling mutation handlers)."""
    from server.accounts.sessions import load_session

    return await load_session(client.cookies.get(COOKIE_NAME))


async def attach(client, args: dict, *, mutation_id: int = 1) -> dict:
    """Run the registered `evidence.attach` handler as the signed-in client's user."""
    import server.evidence.mutations  # noqa: F401
    from sync.registry import MutationContext, handler_for

    ctx = MutationContext(actor=await current_user(client), client_id="test-device", mutation_id=mutation_id, created_at=None)
    return await handler_for("evidence.attach")(ctx, args)


def attach_args(case_id, data: bytes, kind: str = "photo", **extra) -> dict:
    import uuid

    return {
        "id": str(uuid.uuid4()),
        "case_id": str(case_id),
        "sha256": sha256(data),
        "kind": kind,
        "captured_at": "2022-04-12T09:14:00+08:00",
        "device": "iPhone 12 / Safari",
        **extra,
    }


def open_patch(server_url: str, path: str, headers: dict[str, str], offset: int, length: int) -> socket.socket:
    """Start a PATCH announcing `length` body bytes and send none yet: the caller sends some of
    them and then drops the connection (or kills the server), as a phone losing its network."""
    port = int(server_url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port))
    lines = [f"PATCH {path} HTTP/1.1", f"Host: localhost:{port}", f"Content-Length: {length}", f"Upload-Offset: {offset}"]
    lines += [f"{k}: {v}" for k, v in (TUS | OCTETS | headers).items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    return sock


def wait_for_offset(server_url: str, path: str, headers: dict[str, str], above: int, seconds: float = 15) -> int:
    """Poll HEAD until the server's offset passes `above`; returns it."""
    deadline = time.monotonic() + seconds
    while True:
        response = httpx.head(server_url + path, headers=TUS | headers, timeout=5)
        offset = int(response.headers["upload-offset"])
        if offset > above or time.monotonic() > deadline:
            return offset
        time.sleep(0.05)
