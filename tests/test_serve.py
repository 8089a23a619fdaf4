"""``descentlab serve`` as a process: it stops when told to, even while a client that has
stopped reading holds a stream open.

Without a bound on the graceful shutdown, uvicorn waits for every open response to finish;
a stream whose client stopped reading never finishes, so ``docker stop`` would always end
in a kill after its grace period. ``DESCENTLAB_SHUTDOWN_TIMEOUT`` bounds it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from browser_helpers import ROOT, free_port


def _start(port: int, env: dict[str, str]) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "descentlab", "serve", "--port", str(port)], cwd=ROOT,
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert process.stdout is not None
    for line in process.stdout:
        if "Descent Lab ready" in line:  # (it listens from then on)
            return process
    raise AssertionError(f"the server exited with {process.wait()}")


def test_sigterm_ends_the_server_while_a_stream_client_has_stopped_reading():
    port = free_port()
    env = {**os.environ, "DESCENTLAB_SHUTDOWN_TIMEOUT": "1", "DESCENTLAB_ACCESS_LOG": "false"}
    process = _start(port, env)
    try:
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/api/v1/optimizers", timeout=10) as response:
            ids = [entry["id"] for entry in json.load(response)][:12]  # (a race takes 24 at most)
        # Megabytes of frames, far more than the sockets' buffers hold.
        body = json.dumps({"surface": {"id": "rosenbrock"}, "steps": 240_000 // len(ids),
                           "record": {"state": True}, "frame_steps": 20,
                           "optimizers": [{"id": o} for o in ids]}).encode()
        client = socket.socket()
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(("127.0.0.1", port))
        client.sendall(b"POST /api/v1/races/stream HTTP/1.1\r\nHost: lab\r\n"
                       b"Content-Type: application/json\r\n"
                       b"Content-Length: %d\r\n\r\n" % len(body) + body)
        assert client.recv(64).startswith(b"HTTP/1.1 200")
        time.sleep(2)  # the stream fills the buffers and the server blocks on sending
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)  # without the bound it waits for ever
        output = process.stdout.read()
        assert "timeout graceful shutdown exceeded" in output
        client.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_connections_to_the_served_socket_send_small_lines_at_once():
    """The socket ``descentlab serve`` listens on must say it is TCP: asyncio turns Nagle's
    algorithm off only on such connections, and without that a stream's last short line
    (the race summary) waited for the client's delayed acknowledgement."""
    import asyncio

    from descentlab.server.cli import _listening

    async def nodelay_of_one_connection() -> int:
        listener = _listening("127.0.0.1", 0, 8)
        seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def accepted(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            sock = writer.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(accepted, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        try:
            return await asyncio.wait_for(seen, 10)
        finally:
            writer.close()
            server.close()
            await server.wait_closed()

    assert asyncio.run(nodelay_of_one_connection()) == 1
