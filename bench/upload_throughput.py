"""tus upload throughput against a raw loopback copy, and the server's memory during the upload.

    .venv/bin/python bench/upload_throughput.py             # 1 GiB, SQLite in a temporary home
    .venv/bin/python bench/upload_throughput.py --size-mb 256 --rounds 5
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test .venv/bin/python bench/upload_throughput.py

Prints figures; it is not a test. Every copy goes over loopback TCP into a file on the same
disk, and every sender is the same: the file handed to the kernel with sendfile(2), so the
figures compare receivers, not clients.
- raw copy: a bare socket read into a file by another process, the floor any HTTP upload pays.
  Once as it is (the bytes end in the page cache) and once followed by fsync (the bytes are on
  the disk, as a finished upload's are: the server fsyncs a blob before it says so). Each is
  timed right after the same copy unmeasured, so that it writes into the pages that copy's file
  just freed: in a virtual machine, pages the guest has not used for a while can cost a fault
  each when touched again, and the same copy then takes 2-6 times as long (README). The raw
  copies are thus at their fastest: the strictest floor.
- bare ASGI app under the same Granian (same HTTP server, settings and event loop as `doorstep serve`).
- SHA-256 of the file alone, in this process (only the hashing timed): the floor of any server
  that verifies an upload's SHA-256, since one stream's hash cannot be shared between cores. The
  raw copy's time over this one is the highest ratio such a server can reach on this machine.
- tus: a real `doorstep serve` process receiving PATCH requests, keeping the running SHA-256,
  verifying the whole file, storing the blob durably. The chunked run's `Upload-Checksum`
  values are computed before the clock starts (the device computes them, not the server).
Each measurement is repeated `--rounds` times, interleaved, and the best time is kept: on a
shared machine the best round is the one least disturbed by other work. The CPU time the
receiving processes spent (user + system, all their threads: Granian's supervisor and its worker)
is given per GiB: on a loaded machine it says more than the wall clock. The server's memory is read
from /proc/<pid>/status of the supervisor and its worker, added up (VmRSS idle, VmHWM peak).
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import importlib.metadata
import importlib.util
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from processes import cpu_seconds, kill_tree, memory

from server.serving import HTTP1_BUFFER

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
HASH_ALONE = "SHA-256 of the file alone, one core"
RECEIVER = """
import os, socket, sys
listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(1)
print(listener.getsockname()[1], flush=True)
conn, _ = listener.accept()
buffer = bytearray(1024 * 1024); view = memoryview(buffer)
with open(sys.argv[1], "wb") as out:
    while n := conn.recv_into(buffer):
        out.write(view[:n])
    if sys.argv[2] == "fsync":
        out.flush(); os.fsync(out.fileno())
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int) -> None:
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port}")


def raw_copy(source: Path, target: Path, fsync: bool) -> tuple[float, float]:
    """(seconds, receiver CPU seconds) to copy the file through a loopback socket into another
    process's file, with or without an fsync at the end; after the same copy unmeasured, so that
    the measured one writes into the pages that one's file just freed (see the module docstring)."""
    _copy(source, target, fsync=False)
    return _copy(source, target, fsync)


def _copy(source: Path, target: Path, fsync: bool) -> tuple[float, float]:
    receiver = subprocess.Popen(
        [sys.executable, "-c", RECEIVER, str(target), "fsync" if fsync else "-"], stdout=subprocess.PIPE, text=True
    )
    port = int(receiver.stdout.readline())
    cpu = cpu_seconds(receiver.pid)
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port)) as sock, open(source, "rb") as handle:
        sock.sendfile(handle)
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(2) == b"ok"
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(receiver.pid) - cpu
    receiver.wait(30)
    target.unlink()
    return elapsed, cpu


def sha256_alone(source: Path) -> tuple[float, float]:
    """(seconds, CPU seconds) of SHA-256 over the file's bytes, in 4 MiB pieces read beforehand
    (only the hashing is timed): a server that verifies each upload's SHA-256 cannot take the file
    faster than this, whatever else it does, as one stream's hash runs on one core."""
    buffer = bytearray(4 * MB)
    view = memoryview(buffer)
    digest, seconds = hashlib.sha256(), 0.0
    with open(source, "rb", buffering=0) as handle:
        while count := handle.readinto(buffer):
            started = time.perf_counter()
            digest.update(view[:count])
            seconds += time.perf_counter() - started
    return seconds, seconds


def send_request(conn: http.client.HTTPConnection, method: str, url: str, headers: dict[str, str], source: Path, offset: int, length: int):
    """One request whose body is `length` bytes of the file from `offset`, sent with sendfile."""
    conn.putrequest(method, url, skip_accept_encoding=True)
    for key, value in (headers | {"Content-Length": str(length)}).items():
        conn.putheader(key, value)
    conn.endheaders()
    with open(source, "rb") as handle:
        conn.sock.sendfile(handle, offset, length)
    taken = time.perf_counter()
    response = conn.getresponse()
    response.read()
    response.taken = taken  # the server had read all but the socket buffers' few MiB of the body
    return response


def start_bare_http(home: Path) -> tuple[subprocess.Popen, int]:
    """A bare ASGI app that writes a PUT body into a file, under the same Granian: the ceiling of
    any upload handled by this server stack."""
    (home / "bare_asgi.py").write_text(BARE_ASGI)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "granian", "--interface", "asgi", "--port", str(port), "--log-level", "warning",
         "--http1-buffer-size", str(HTTP1_BUFFER), "bare_asgi:app"],
        cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return process, port


def bare_http(process: subprocess.Popen, port: int, home: Path, source: Path, size: int) -> tuple[float, float]:
    """(seconds, server CPU seconds) for one PUT of the file; after the same PUT unmeasured, as
    for the raw copies (its file goes to the page cache too)."""
    _bare_put(process, port, home, source, size)
    return _bare_put(process, port, home, source, size)


def _bare_put(process: subprocess.Popen, port: int, home: Path, source: Path, size: int) -> tuple[float, float]:
    target = home / "bare.bin"
    conn = http.client.HTTPConnection("localhost", port)
    cpu = cpu_seconds(process.pid)
    started = time.perf_counter()
    response = send_request(conn, "PUT", "/x/" + str(target).replace("/", "|"), {}, source, 0, size)
    elapsed = time.perf_counter() - started
    assert response.status == 204, response.status
    conn.close()
    target.unlink()
    return elapsed, cpu_seconds(process.pid) - cpu


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


def chunk_checksums(source: Path, size: int, chunk: int) -> list[str]:
    """The `Upload-Checksum` of every chunk, as the device sends them."""
    sums = []
    with open(source, "rb") as handle:
        for _ in range(0, size, chunk):
            sums.append("sha256 " + base64.b64encode(hashlib.sha256(handle.read(chunk)).digest()).decode())
    return sums


def tus_upload(server: subprocess.Popen, port: int, headers: dict[str, str], source: Path, size: int, digest: str,
               chunk: int, checksums: list[str] | None, taken: list | None = None) -> tuple[float, float]:
    """(seconds, server CPU seconds) for POST + PATCHes of `chunk` bytes, each with its checksum when given.
    `taken` gets the seconds until the last byte was handed over, before the server verified the
    whole file and made it durable: the rate at which the server receives."""
    meta = f"filename {base64.b64encode(b'bench.mp4').decode()},filetype {base64.b64encode(b'video/mp4').decode()},sha256 {base64.b64encode(digest.encode()).decode()}"
    conn = http.client.HTTPConnection("localhost", port)
    cpu = cpu_seconds(server.pid)
    started = time.perf_counter()
    conn.request("POST", "/api/uploads/", headers=headers | {"Upload-Length": str(size), "Upload-Metadata": meta})
    response = conn.getresponse()
    response.read()
    location = response.getheader("location")
    assert response.status == 201, response.status
    offset = 0
    for number, start in enumerate(range(0, size, chunk)):
        extra = {"Upload-Checksum": checksums[number]} if checksums else {}
        patch = headers | extra | {"Upload-Offset": str(offset), "Content-Type": "application/offset+octet-stream"}
        response = send_request(conn, "PATCH", location, patch, source, start, min(chunk, size - start))
        assert response.status == 204, (response.status, response.getheader("content-type"))
        offset = int(response.getheader("upload-offset"))
    elapsed = time.perf_counter() - started
    assert offset == size
    if taken is not None:
        taken.append(response.taken - started)
    conn.close()
    return elapsed, cpu_seconds(server.pid) - cpu


def forget_blob(home: Path, digest: str) -> None:
    """The next round stores the same content again (and fsyncs it) instead of finding it stored."""
    (home / "media" / "blobs" / digest[:2] / digest).unlink()


def stack() -> str:
    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    return f"Granian {importlib.metadata.version('granian')} (ASGI, {loop})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--chunk-mb", type=int, default=64, help="chunk size of the checksummed run")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    size = args.size_mb * MB
    home = Path(tempfile.mkdtemp(prefix="doorstep-bench-"))
    env = dict(os.environ, DOORSTEP_HOME=str(home), DOORSTEP_MAX_VIDEO_MB=str(max(args.size_mb + 1, 2048)))
    subprocess.run([sys.executable, "-m", "server.cli", "demo", "--no-links"], cwd=REPO, env=env, check=True, capture_output=True)
    source = home / "source.mp4"
    digest = make_file(source, size)
    checksums = chunk_checksums(source, size, args.chunk_mb * MB)
    load_before = os.getloadavg()

    results: dict[str, list[tuple[float, float]]] = {}
    bare, bare_port = start_bare_http(home)
    port = free_port()
    server = start_server(env, port)
    try:
        headers = session_headers(env, port)
        idle = memory(server.pid)["VmRSS"]
        taken: list[float] = []
        runs = {
            "raw loopback copy (page cache)": lambda: raw_copy(source, home / "copy.bin", fsync=False),
            "raw loopback copy + fsync": lambda: raw_copy(source, home / "copy.bin", fsync=True),
            "bare ASGI app, same Granian": lambda: bare_http(bare, bare_port, home, source, size),
            HASH_ALONE: lambda: sha256_alone(source),
            "tus, one PATCH": lambda: tus_upload(server, port, headers, source, size, digest, size, None, taken),
            f"tus, {args.chunk_mb} MiB chunks + sha256 checksums": lambda: tus_upload(
                server, port, headers, source, size, digest, args.chunk_mb * MB, checksums
            ),
        }
        for _ in range(args.rounds):
            for name, run in runs.items():
                results.setdefault(name, []).append(run())
                if name.startswith("tus"):
                    forget_blob(home, digest)
        peak = memory(server.pid)["VmHWM"]
        one_patch = results.pop("tus, one PATCH")
        receiving = [(seconds, cpu) for seconds, (_, cpu) in zip(taken, one_patch)]
        results = {"tus, one PATCH: last byte taken": receiving, "tus, one PATCH: verified and durable": one_patch} | {
            name: rounds for name, rounds in results.items()
        }
    finally:
        for process in (server, bare):
            kill_tree(process)

    engine = "PostgreSQL" if env.get("DATABASE_URL") else "SQLite"
    per_gib = 1024 / args.size_mb
    print(f"file: {args.size_mb} MiB, engine: {engine}, server: {stack()}, CPUs: {os.cpu_count()}, rounds: {args.rounds} (best kept)")
    print(f"load average (1, 5, 15 min): before {' '.join(f'{x:.1f}' for x in load_before)}, after {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    raw = min(seconds for seconds, _ in results["raw loopback copy (page cache)"])
    raw_fsync = min(seconds for seconds, _ in results["raw loopback copy + fsync"])
    print(f"{'':48} {'best':>7} {'median':>7} {'MiB/s':>6} {'ratio':>6} {'ratio':>7} {'receiver CPU':>13}")
    print(f"{'':48} {'':>7} {'':>7} {'':>6} {'to raw':>6} {'+fsync':>7} {'s per GiB':>13}")
    for name, rounds in results.items():
        best = min(seconds for seconds, _ in rounds)
        median = statistics.median(seconds for seconds, _ in rounds)
        cpu = min(cpu for _, cpu in rounds) * per_gib
        print(f"{name:48} {best:6.2f}s {median:6.2f}s {args.size_mb / best:6.0f} {raw / best:6.2f} {raw_fsync / best:7.2f} {cpu:13.2f}")
    hashing = min(seconds for seconds, _ in results[HASH_ALONE])
    print(f"highest ratio to raw a server verifying SHA-256 can reach here: {raw / hashing:.2f} (raw copy / SHA-256 alone)")
    print(f"server RSS idle:                 {idle / MB:6.1f} MiB")
    print(f"server peak RSS (VmHWM):         {peak / MB:6.1f} MiB")
    print(f"peak above idle:                 {(peak - idle) / MB:6.1f} MiB")


if __name__ == "__main__":
    main()
