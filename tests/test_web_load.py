"""A bounded load test on loopback: 50 concurrent clients for a minute, no errors, memory flat.

``immsim serve`` runs in its own process with one finished run in its
catalog. Fifty client threads then loop over what people do: the explore
page, the run history, a result page with its charts, its CSV files, the
status API, the static files, and run requests the limits refuse. Every
response must have the expected status; the server's resident memory is
sampled each second and, once the first fifth of the test has warmed the
caches, must not grow between the first and the second half of the rest.

``IMMSIM_LOAD_SECONDS`` and ``IMMSIM_LOAD_CLIENTS`` change the length and the
number of clients (defaults 60 and 50); the figures are printed at the end.

A second test kills the server (SIGKILL) in the middle of a run: its worker
process must stop by itself, and the restarted server must list nothing
half-done.
"""

from __future__ import annotations

import json
import os
import statistics
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from figures import save
from test_web_browser import server  # noqa: F401  (the fixture: immsim serve on a free port)

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("IMMSIM_LOAD_SECONDS", "60"))
CLIENTS = int(os.environ.get("IMMSIM_LOAD_CLIENTS", "50"))


def _request(url: str, body: dict | None = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _server_pid(port: str) -> int:
    """The PID of the process listening on ``port`` (the immsim serve child of the fixture)."""
    import subprocess

    out = subprocess.run(["pgrep", "-f", f"immsim.cli serve --port {port}"], capture_output=True, text=True)
    return int(out.stdout.split()[0])


def test_fifty_clients_for_a_minute(server):  # noqa: F811
    status, body = _request(server + "/api/runs", {"scenario": "us-2017", "years": 0.25, "replications": 1})
    assert status == 202, body
    run_id = json.loads(body)["id"]
    deadline = time.monotonic() + 900
    while json.loads(_request(f"{server}/api/runs/{run_id}")[1])["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.5)
    mix = [
        ("/", None, 200),
        ("/runs", None, 200),
        (f"/runs/{run_id}", None, 200),
        ("/api/scenarios", None, 200),
        (f"/api/runs/{run_id}", None, 200),
        (f"/api/runs/{run_id}/files/summary.csv", None, 200),
        (f"/api/runs/{run_id}/files/states.csv", None, 200),
        ("/static/app.js", None, 200),
        ("/api/runs", {"scenario": "us-2017", "years": 500}, 422),
        ("/api/runs/000000000000/files/..%2Fcatalog.duckdb", None, 404),
    ]
    pid = _server_pid(server.rsplit(":", 1)[1])
    counts = {"ok": 0, "errors": 0}
    latencies: list[float] = []
    problems: list[str] = []
    lock = threading.Lock()
    stop = time.monotonic() + SECONDS

    def client(k: int) -> None:
        i = k
        while time.monotonic() < stop:
            path, body, expected = mix[i % len(mix)]
            i += 1
            t0 = time.perf_counter()
            try:
                status, _ = _request(server + path, body)
            except OSError as e:
                status = f"{type(e).__name__}: {e}"
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                if status == expected:
                    counts["ok"] += 1
                else:
                    counts["errors"] += 1
                    problems.append(f"{path}: {status}")

    rss: list[int] = []
    threads = [threading.Thread(target=client, args=(k,)) for k in range(CLIENTS)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        rss.append(_rss_kib(pid))
        time.sleep(1)
    for t in threads:
        t.join()
    steady = rss[len(rss) // 5 :]  # the first fifth warms the caches up
    half = max(1, len(steady) // 2)
    first, last = statistics.mean(steady[:half]), statistics.mean(steady[-half:])
    q = [x * 1000 for x in statistics.quantiles(latencies, n=100)]
    total = counts["ok"] + counts["errors"]
    print(
        f"\nload: {CLIENTS} clients, {SECONDS:.0f} s: {total} requests, {counts['errors']} errors, "
        f"{total / SECONDS:.0f} per second; latency median {q[49]:.0f} ms, 95th percentile {q[94]:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms; server RSS after warm-up: first half {first / 1024:.0f} MiB, "
        f"last half {last / 1024:.0f} MiB, peak {max(rss) / 1024:.0f} MiB"
    )
    save(
        "load",
        {
            "clients": CLIENTS,
            "seconds": SECONDS,
            "requests": total,
            "errors": counts["errors"],
            "latency_ms": {"median": q[49], "p95": q[94], "max": max(latencies) * 1000},
            "rss_mib": {"first_half": first / 1024, "last_half": last / 1024, "peak": max(rss) / 1024},
        },
    )
    assert counts["errors"] == 0, problems[:10]
    assert counts["ok"] >= CLIENTS  # every client got answers
    assert last <= first * 1.10 + 20 * 1024, f"memory grew from {first / 1024:.0f} to {last / 1024:.0f} MiB"


def test_a_server_killed_mid_run_leaves_nothing_and_restarts_clean(tmp_path):
    import signal

    from immsim.catalog import Catalog
    from test_web_browser import start_server

    data = tmp_path / "data"
    data.mkdir()

    proc, url = start_server(data)
    status, body = _request(url + "/api/runs", {"scenario": "us-2017", "years": 5, "replications": 2})
    run_id = json.loads(body)["id"]
    deadline = time.monotonic() + 900
    while json.loads(_request(f"{url}/api/runs/{run_id}")[1])["progress"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    worker = [p for p in Path("/proc").glob("[0-9]*") if _parent(p) == proc.pid]
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10  # the orphaned worker stops at its next progress report (a run: ~30 s)
    while any(w.exists() and _parent(w) not in (None, 0) and "zombie" not in _state(w) for w in worker):
        assert time.monotonic() < deadline, "a worker outlived its server"
        time.sleep(0.2)
    proc, url = start_server(data)
    try:
        assert _request(url + "/api/runs")[1] == b"[]"  # the unfinished run is not listed
        assert not any((data / "results").iterdir())  # and its partial directory is gone
        assert _request(f"{url}/runs/{run_id}")[0] == 404
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    with Catalog(data, read_only=True) as cat:
        assert cat.problems() == [] and cat.runs().empty


def _parent(proc_dir: Path) -> int | None:
    try:
        return int(
            next(line for line in (proc_dir / "status").read_text().splitlines() if line.startswith("PPid:")).split()[1]
        )
    except (OSError, StopIteration):
        return None


def _state(proc_dir: Path) -> str:
    try:
        return next(line for line in (proc_dir / "status").read_text().splitlines() if line.startswith("State:"))
    except (OSError, StopIteration):
        return "gone"
