"""tus upload throughput against a raw loopback copy, and the server's memory during the upload.

    .venv/bin/python bench/upload_throughput.py             # 1 GiB, SQLite in a temporary home
    .venv/bin/python bench/upload_throughput.py --size-mb 256
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/upload_throughput.py

Prints figures; it is not a test. Both copies go over loopback TCP into a file on the same disk:
the raw copy is a bare socket into a file (the floor any HTTP upload pays); the tus upload is a
real `doorstep serve` process receiving PATCH requests, checking the whole-file SHA-256 and
storing the blob. The server's memory is read from /proc/<pid>/status (VmRSS idle, VmHWM peak).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
RECEIVER = """
import socket, sys
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(1)
print(listener.getsockname()[1], flush=True)
conn, _ = listener.accept()
buffer = bytearray(1024 * 1024); view = memoryview(buffer)
with open(sys.argv[1], "wb") as out:
    while n := conn.recv_into(buffer):
        out.write(view[:n])
conn.sendall(b"ok"); conn.close()
"""

BARE_ASGI = """
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    with open(scope["path"].split("/", 2)[2].replace("|", "/"), "wb") as out:
        while True:
            message = await receive()
            out.write(message.get("body", b""))
            if not message.get("more_body"):
                break
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})
"""


def make_file(path: Path, size: int) -> str:
    """An MP4 head (so the type check passes) and random bytes; returns its SHA-256."""
    digest = hashlib.sha256()
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    with open(path, "wb") as out:
        out.write(head)
        digest.update(head)
        left = size - len(head)
        while left:
            block = os.urandom(min(8 * MB, left))
            out.write(block)
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def raw_copy(source: Path, target: Path) -> float:
    """Seconds to copy the file through a loopback socket into another process's file."""
    receiver = subprocess.Popen([sys.executable, "-c", RECEIVER, str(target)], stdout=subprocess.PIPE, text=True)
    port = int(receiver.stdout.readline())
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock, open(source, "rb") as handle:
        sock.sendfile(handle)
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(2) == b"ok"
    elapsed = time.perf_counter() - started
    receiver.wait(30)
    target.unlink()
    return elapsed


def bare_http(home: Path, source: Path, size: int) -> float:
    """Seconds for one HTTP PUT of the file into a file, by a bare ASGI app under the same
    uvicorn: the ceiling of any upload handled by this server stack."""
    (home / "bare_asgi.py").write_text(BARE_ASGI)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bare_asgi:app", "--port", str(port), "--log-level", "warning"],
        cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        target = str(home / "bare.bin").replace("/", "|")
        conn = http.client.HTTPConnection("localhost", port, blocksize=MB)
        started = time.perf_counter()
        with open(source, "rb") as handle:
            conn.request("PUT", f"/x/{target}", body=handle, headers={"Content-Length": str(size)})
            response = conn.getresponse()
            response.read()
        elapsed = time.perf_counter() - started
    finally:
        process.kill()
        process.wait()
    (home / "bare.bin").unlink(missing_ok=True)
    return elapsed


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) * 1024
    return fields


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("localhost", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def session_headers(env: dict[str, str], port: int) -> dict[str, str]:
    """Sign the demo grid worker in (a session row, as a passkey sign-in would make) and fetch a CSRF token."""
    code = (
        "import asyncio, server\n"
        "from server.accounts.sessions import create_session\n"
        "from server.accounts.tables import User\n"
        "async def main():\n"
        "    user = await User.select(User.id).where(User.username == 'worker').first()\n"
        "    print(await create_session(user['id'], kind='field'))\n"
        "asyncio.run(main())\n"
    )
    token = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, check=True).stdout.split()[-1]
    conn = http.client.HTTPConnection("localhost", port)
    conn.request("GET", "/", headers={"Cookie": f"doorstep_session={token}"})
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("set-cookie") or ""
    csrf = cookie.split("csrftoken=", 1)[1].split(";", 1)[0]
    return {"Cookie": f"doorstep_session={token}; csrftoken={csrf}", "x-csrftoken": csrf, "Tus-Resumable": "1.0.0"}


def tus_upload(port: int, headers: dict[str, str], source: Path, size: int, digest: str, chunk: int) -> float:
    """Seconds for POST + PATCHes of `chunk` bytes (each with an sha256 Upload-Checksum when chunked)."""
    meta = f"filename {base64.b64encode(b'bench.mp4').decode()},filetype {base64.b64encode(b'video/mp4').decode()},sha256 {base64.b64encode(digest.encode()).decode()}"
    conn = http.client.HTTPConnection("localhost", port, blocksize=MB)
    started = time.perf_counter()
    conn.request("POST", "/api/uploads/", headers=headers | {"Upload-Length": str(size), "Upload-Metadata": meta})
    response = conn.getresponse()
    response.read()
    location = response.getheader("location")
    assert response.status == 201, response.status
    offset = 0
    with open(source, "rb") as handle:
        while offset < size:
            length = min(chunk, size - offset)
            extra = {}
            if chunk < size:
                part = handle.read(length)
                extra["Upload-Checksum"] = "sha256 " + base64.b64encode(hashlib.sha256(part).digest()).decode()
                body = part
            else:
                body = handle
            conn.request(
                "PATCH", location, body=body,
                headers=headers | extra | {"Upload-Offset": str(offset), "Content-Length": str(length), "Content-Type": "application/offset+octet-stream"},
            )
            response = conn.getresponse()
            response.read()
            assert response.status == 204, (response.status, response.getheader("content-type"))
            offset = int(response.getheader("upload-offset"))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--chunk-mb", type=int, default=64, help="chunk size of the second, checksummed run")
    args = parser.parse_args()
    size = args.size_mb * MB
    home = Path(tempfile.mkdtemp(prefix="doorstep-bench-"))
    env = dict(os.environ, DOORSTEP_HOME=str(home), DOORSTEP_MAX_VIDEO_MB=str(max(args.size_mb + 1, 2048)))
    subprocess.run([sys.executable, "-m", "server.cli", "demo", "--no-links"], cwd=REPO, env=env, check=True, capture_output=True)
    source = home / "source.mp4"
    digest = make_file(source, size)

    raw = min(raw_copy(source, home / "copy.bin") for _ in range(2))
    bare = bare_http(home, source, size)
    port = free_port()
    server = start_server(env, port)
    try:
        headers = session_headers(env, port)
        idle = memory(server.pid)["VmRSS"]
        cpu_before = cpu_seconds(server.pid)
        whole = tus_upload(port, headers, source, size, digest, size)
        cpu_whole = cpu_seconds(server.pid) - cpu_before
        after_whole = memory(server.pid)
        # the same content again in checksummed chunks (stored once: content-addressed)
        chunked = tus_upload(port, headers, source, size, digest, args.chunk_mb * MB)
        after_chunked = memory(server.pid)
    finally:
        server.kill()
        server.wait()
    engine = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    mbps = lambda seconds: args.size_mb / seconds  # noqa: E731
    print(f"file: {args.size_mb} MiB, engine: {engine}, CPUs: {os.cpu_count()}")
    print(f"load average: {os.getloadavg()[0]:.1f}")
    print(f"raw loopback copy:               {raw:6.2f} s  {mbps(raw):7.0f} MiB/s")
    print(f"bare ASGI app, same uvicorn:     {bare:6.2f} s  {mbps(bare):7.0f} MiB/s  ratio {raw / bare:.2f}")
    print(f"tus, one PATCH:                  {whole:6.2f} s  {mbps(whole):7.0f} MiB/s  ratio {raw / whole:.2f}")
    print(f"tus, {args.chunk_mb} MiB chunks + sha256 checksums: {chunked:6.2f} s  {mbps(chunked):7.0f} MiB/s  ratio {raw / chunked:.2f}")
    print(f"server CPU for the one-PATCH upload: {cpu_whole:.2f} s ({cpu_whole * 1024 / args.size_mb:.1f} s per GiB)")
    print(f"server RSS idle:                 {idle / MB:6.1f} MiB")
    print(f"server peak RSS (VmHWM):         {after_whole['VmHWM'] / MB:6.1f} MiB after one PATCH, {after_chunked['VmHWM'] / MB:.1f} MiB after chunks")
    print(f"peak above idle:                 {(after_chunked['VmHWM'] - idle) / MB:6.1f} MiB")


if __name__ == "__main__":
    main()
