"""API benchmarks against a real server: `descentlab serve` in a subprocess on a loopback port.

    python benchmarks/bench_api.py                 # about a minute and a half
    python benchmarks/bench_api.py --duration 5    # shorter concurrency phases

1. Ready: from starting `descentlab serve` to the first 200 from /healthz (warm Numba cache).
2. One client, ~200 races of six optimizers × 1000 steps on Rosenbrock (sgd, momentum,
   nesterov, adagrad, rmsprop, adam): p50 and p99, with zstd (what browsers ask for), gzip,
   and without compression.
3. 32 concurrent clients posting that race for --duration seconds: errors, p50, p99, req/s.
   With Debian's ``wrk`` installed it generates the load (a C client that leaves the two
   cores to the server); otherwise asyncio httpx2 clients in this process do.
4. /healthz latency while a heavy computation runs: twelve optimizers × 20,000 steps with
   state recorded, about a second of work, once streamed and once as one 55 MB document
   (whose JSON is written in pieces so the event loop is not kept waiting).

Only 127.0.0.1 is contacted; every loop is bounded in count and time, and the server is
stopped at the end. The machine's load average is printed, since other work skews numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx2

ROOT = Path(__file__).resolve().parents[1]
SIX = {"sgd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3, "adagrad": 0.5, "rmsprop": 0.01,
       "adam": 0.05}
RACE = {"surface": {"id": "rosenbrock"}, "start": [-1.5, 2.0], "steps": 1000,
        "optimizers": [{"id": o, "hyperparameters": {"lr": lr}} for o, lr in SIX.items()]}
HEAVY_STREAM = {"surface": {"id": "rosenbrock"}, "steps": 20_000, "record": {"state": True},
                "frame_steps": 40,
                "optimizers": [{"id": o} for o in (
                    "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamax",
                    "nadam", "amsgrad", "adadelta", "rmsprop_nesterov", "newton")]}
TARGETS = {"ready_s": 5.0, "race_p50_ms": 10.0, "race_p99_ms": 30.0,
           "load_p99_ms": 250.0, "healthz_p99_ms": 50.0}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class Server:
    """`python -m descentlab serve` on a free loopback port, stopped on exit."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **(env or {})}

    def __enter__(self) -> Server:
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "descentlab", "serve", "--port", str(self.port),
             "--log-level", "warning"], cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        deadline = started + 120
        with httpx2.Client(timeout=1) as client:
            while True:
                try:
                    if client.get(f"{self.url}/healthz").status_code == 200:
                        break
                except httpx2.TransportError:
                    pass
                if time.perf_counter() > deadline or self.process.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.01)
        self.ready_seconds = time.perf_counter() - started
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def one_client(url: str, requests: int, encoding: str) -> list[float]:
    times = []
    with httpx2.Client(timeout=30, headers={"Accept-Encoding": encoding}) as client:
        for _ in range(5):
            client.post(f"{url}/api/v1/races", json=RACE)
        for _ in range(requests):
            started = time.perf_counter()
            response = client.post(f"{url}/api/v1/races", json=RACE)
            response.raise_for_status()
            times.append(time.perf_counter() - started)
    return times


async def many_clients(url: str, clients: int, seconds: float,
                       encoding: str) -> tuple[list[float], int]:
    times: list[float] = []
    errors = 0
    stop = time.perf_counter() + seconds
    limits = httpx2.Limits(max_connections=clients, max_keepalive_connections=clients)

    async with httpx2.AsyncClient(timeout=30, limits=limits,
                                 headers={"Accept-Encoding": encoding}) as client:
        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop:
                started = time.perf_counter()
                try:
                    response = await client.post(f"{url}/api/v1/races", json=RACE)
                    await response.aread()
                    ok = response.status_code == 200
                except httpx2.HTTPError:
                    ok = False
                if ok:
                    times.append(time.perf_counter() - started)
                else:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(clients)))
    return times, errors


def wrk_clients(url: str, clients: int, seconds: float,
                encoding: str) -> tuple[float, float, float, int]:
    """p50 ms, p99 ms, requests/s and errors of ``wrk`` posting the race."""
    script = f"wrk.method = 'POST'\nwrk.body = {json.dumps(json.dumps(RACE))}\n" \
             "wrk.headers['Content-Type'] = 'application/json'\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write(script)
        lua.flush()
        out = subprocess.run(
            ["wrk", "-t2", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency",
             "-s", lua.name, "-H", f"Accept-Encoding: {encoding}", f"{url}/api/v1/races"],
            capture_output=True, text=True, check=True, timeout=seconds + 60).stdout

    def millis(percent: str) -> float:
        value, unit = re.search(rf"^\s*{percent}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                        out)
    errors = (int(bad.group(1)) if bad else 0) + (
        sum(int(n) for n in sockets.groups()) if sockets else 0)
    return millis("50"), millis("99"), rate, errors


def healthz_during_heavy_work(url: str, path: str) -> tuple[list[float], float]:
    """Poll /healthz while the heavy race is computed at ``path``, reading the answer as it
    comes; return the latencies and the heavy request's duration."""
    done = threading.Event()
    took: list[float] = []

    def heavy() -> None:
        started = time.perf_counter()
        with httpx2.Client(timeout=120) as client, client.stream(
                "POST", f"{url}/api/v1/{path}", json=HEAVY_STREAM) as response:
            for _ in response.iter_raw():
                pass
        took.append(time.perf_counter() - started)
        done.set()

    worker = threading.Thread(target=heavy)
    worker.start()
    latencies = []
    with httpx2.Client(timeout=5) as client:
        time.sleep(0.05)
        while not done.is_set() and len(latencies) < 20_000:
            started = time.perf_counter()
            client.get(f"{url}/healthz").raise_for_status()
            latencies.append(time.perf_counter() - started)
            time.sleep(0.005)
    worker.join()
    return latencies, took[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0,
                        help="seconds of each 32-client phase (default 30)")
    parser.add_argument("--requests", type=int, default=200,
                        help="races of the one-client phase, per encoding (default 200)")
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()

    load_before = os.getloadavg()
    rows: list[tuple[str, str, str]] = []

    def row(name: str, value: float, unit: str, target: str | None = None) -> None:
        verdict = ""
        if target is not None:
            verdict = "ok" if value <= TARGETS[target] else f"over {TARGETS[target]:g}"
        rows.append((name, f"{value:,.1f} {unit}", verdict))

    with Server() as server:
        row("ready: serve → first 200 /healthz", server.ready_seconds, "s", "ready_s")
        for encoding in ("zstd", "gzip", "identity"):
            times = [t * 1e3 for t in one_client(server.url, args.requests, encoding)]
            row(f"race, 1 client, {encoding}: p50", percentile(times, 50), "ms", "race_p50_ms")
            row(f"race, 1 client, {encoding}: p99", percentile(times, 99), "ms", "race_p99_ms")
        use_wrk = shutil.which("wrk") is not None
        for encoding in ("zstd", "gzip", "identity"):
            label = f"race, {args.clients} clients ({'wrk' if use_wrk else 'httpx2'}), {encoding}"
            if use_wrk:
                p50, p99, rate, errors = wrk_clients(server.url, args.clients, args.duration,
                                                     encoding)
            else:
                times, errors = asyncio.run(many_clients(server.url, args.clients,
                                                         args.duration, encoding))
                ms = [t * 1e3 for t in times]
                p50, p99, rate = percentile(ms, 50), percentile(ms, 99), len(times) / args.duration
            row(f"{label}: errors", errors, "")
            row(f"{label}: p50", p50, "ms")
            row(f"{label}: p99", p99, "ms", "load_p99_ms")
            row(f"{label}: throughput", rate, "req/s")
        for path, kind in (("races/stream", "stream"), ("races", "one document")):
            latencies, heavy_seconds = healthz_during_heavy_work(server.url, path)
            ms = [t * 1e3 for t in latencies]
            row(f"heavy race, {kind} (12 × 20,000 steps, state)", heavy_seconds, "s")
            row("/healthz during it: p50", statistics.median(ms), "ms")
            row("/healthz during it: p99", percentile(ms, 99), "ms", "healthz_p99_ms")
            row("/healthz during it: max", max(ms), "ms")

    width = max(len(name) for name, _, _ in rows)
    print(f"\nload average before: {load_before[0]:.2f} {load_before[1]:.2f} "
          f"{load_before[2]:.2f}; after: {os.getloadavg()[0]:.2f}; cores: {os.cpu_count()}")
    for name, value, verdict in rows:
        print(f"{name:<{width}}  {value:>14}  {verdict}")


if __name__ == "__main__":
    main()
