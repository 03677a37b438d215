"""Run the reliability tests and write the figures they measured into docs/reliability.md.

The tests (fuzzing, interruptions, Schemathesis, the load test, the ledger's faults, determinism) check
properties; their figures (files tried, signals sent, requests, latencies, memory) depend on the run and
the machine. This script runs them with every slow test, saves what they measured to a JSON file beside the
page, and rewrites the page's generated blocks from it (``page_blocks``); the prose around them is written
by hand. A failing test writes nothing: the page only ever shows figures of a passing run.

    .venv/bin/python benchmarks/bench_reliability.py --markdown docs/reliability.md      # about 10 minutes
    .venv/bin/python benchmarks/bench_reliability.py --figures docs/reliability.figures.json   # render only

The second form renders the page from saved figures without running anything (tests/test_docs.py checks
that the committed page is that rendering of the committed figures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

from page_blocks import replace

ROOT = Path(__file__).resolve().parents[1]
TESTS = ["test_fuzz.py", "test_interrupt.py", "test_web_schema.py", "test_web_load.py", "test_ledger.py",
         "test_determinism.py"]  # fmt: skip
COMMAND = "python benchmarks/bench_reliability.py --markdown docs/reliability.md"
#: Fuzzing tests (slow ones; each has a quick twin named ``<test>_quick``) and how the page names their files.
FUZZ_KINDS = {
    "test_mutated_synthetic_scenarios": "the synthetic scenario, 1 to 3 random mutations at random paths (wrong "
    "types, NaN, ±inf, 1e308, 10³⁰⁰, deleted, unknown or renamed keys, swapped subtrees)",
    "test_mutated_us_2017": "the same on `us-2017`",
    "test_dates_series_and_events": "dates, dated series and events (out of order, repeated, empty, end before "
    "start, unknown targets, regimes and cohorts)",
    "test_reforms": "reforms (see below)",
    "test_odd_bytes_and_yaml": "bytes and YAML (see below)",
}
PHASES = ("start-up", "simulating", "writing", "finished")


def machine() -> str:
    return f"{platform.node() or 'unknown host'} ({os.cpu_count()} CPUs)"


def measure() -> dict:
    """Run the tests (all of them, slow ones too) and gather what they saved and how long each took."""
    with tempfile.TemporaryDirectory(prefix="immsim-reliability-") as tmp:
        junit = Path(tmp) / "junit.xml"
        env = os.environ | {"IMMSIM_FIGURES": tmp}
        load_before, t0 = os.getloadavg()[0], time.monotonic()
        tests = [f"tests/{t}" for t in TESTS]
        cmd = [sys.executable, "-m", "pytest", *tests, "-q", "-p", "no:cacheprovider", f"--junitxml={junit}"]
        done = subprocess.run(cmd, cwd=ROOT, env=env)
        if done.returncode != 0:
            raise SystemExit(f"the reliability tests failed (exit {done.returncode}): nothing written")
        figures = {p.stem: json.loads(p.read_text()) for p in Path(tmp).glob("*.json")}
        figures["tests"] = _junit(junit)
    missing = {"fuzz", "interrupt", "schemathesis", "load"} - set(figures)
    if missing:
        raise SystemExit(f"no figures from {sorted(missing)} (were their tests skipped?): nothing written")
    sys.path.insert(0, str(ROOT / "tests"))
    from immsim.ledger import check_ledger
    from test_determinism import REFERENCE
    from test_ledger import FAULTS

    # each ``raise LedgerError`` of check_ledger is one check (some checks have several faults, one per state)
    checks = inspect.getsource(check_ledger).count("raise LedgerError")
    figures["ledger"] = {"faults": len(FAULTS), "checks": checks}
    figures["determinism"] = {"fingerprint": REFERENCE}
    figures["run"] = {
        "date": dt.date.today().isoformat(),
        "machine": machine(),
        "load_start": round(load_before, 1),
        "load_end": round(os.getloadavg()[0], 1),
        "minutes": round((time.monotonic() - t0) / 60, 1),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip(),
    }
    return figures


def _junit(path: Path) -> dict[str, dict]:
    """Test name (module::name[id]) -> seconds and outcome, from pytest's JUnit XML."""
    out = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        outcome = next((child.tag for child in case if child.tag in ("failure", "error", "skipped")), "passed")
        name = f"{case.get('classname', '').rsplit('.', 1)[-1]}::{case.get('name')}"
        out[name] = {"seconds": round(float(case.get("time", 0)), 1), "outcome": outcome}
    return out


def _seconds(figures: dict, module: str, prefix: str = "") -> float:
    return sum(v["seconds"] for k, v in figures["tests"].items() if k.startswith(f"{module}::{prefix}"))


def render(figures: dict) -> dict[str, str]:
    """The page's generated blocks, from the saved figures."""
    fuzz, run, tests = figures["fuzz"], figures["run"], figures["tests"]
    rows, total = [], Counter()
    quick = Counter()
    for test, c in fuzz.items():
        if test.endswith("_quick"):
            quick.update({k: c.get(k, 0) for k in ("files", "accepted", "refused")})
    for test, label in FUZZ_KINDS.items():
        c = fuzz.get(test, {})
        secs = tests.get(f"test_fuzz::{test}", {}).get("seconds", 0.0)
        rows.append((label, c.get("files", 0), c.get("accepted", 0), c.get("refused", 0), secs))
    quick_secs = sum(v["seconds"] for k, v in tests.items() if k.startswith("test_fuzz::") and "_quick" in k)
    rows.append(("quick subset of the five kinds (not marked slow)", quick["files"], quick["accepted"],
                 quick["refused"], quick_secs))  # fmt: skip
    for _, files, acc, ref, secs in rows:
        total.update(files=files, accepted=acc, refused=ref, seconds=secs)
    slowest_test, slowest = max(((t, c.get("slowest (ms)", 0)) for t, c in fuzz.items()), key=lambda x: x[1])
    fuzz_block = [
        "| kind | files | loads accepted | loads refused | time |",
        "|---|---:|---:|---:|---:|",
        *(f"| {label} | {f:,} | {a:,} | {r:,} | {s:.0f} s |" for label, f, a, r, s in rows),
        f"| **total** | **{total['files']:,}** | **{total['accepted']:,}** | **{total['refused']:,}** "
        f"| **≈ {total['seconds']:.0f} s** |",
        "",
        f"The slowest single load took {slowest:,} ms (in `{slowest_test}`).",
    ]
    kills = figures["interrupt"]["kills"]
    signals = [k for k in kills if k["target"] != "worker"]
    workers = [k for k in kills if k["target"] == "worker"]
    load, ledger, schema = figures["load"], figures["ledger"], figures["schemathesis"]
    determinism = [k for k in tests if k.startswith("test_determinism::")]
    return {
        "measured": (
            f"Figures were measured on {run['date']} on {run['machine']} at commit {run['commit']}, load average "
            f"{run['load_start']} at "
            f"the start and {run['load_end']} at the end (other work shares the machine, so times are "
            f"pessimistic), by `{COMMAND}` ({run['minutes']} minutes): it runs the tests named below, slow ones "
            "included, and writes their figures into this page; the text around them is written by hand."
        ),
        "summary": _summary(total, signals, workers, schema, load, ledger, len(determinism)),
        "fuzz": "\n".join(fuzz_block),
        "interrupt": _interrupt_block(kills, _seconds(figures, "test_interrupt")),
        "schemathesis": (
            "`tests/test_web_schema.py` runs Schemathesis on the app's OpenAPI schema. "
            f"It made {schema['requests']:,} generated requests (up to 100 examples for each of "
            f"{schema['operations']} operations; valid and invalid bodies, path parameters and uploads) and got "
            "no 5xx."
        ),
        "load": _load_block(load),
        "ledger": (
            f"`tests/test_ledger.py::test_each_ledger_check_fires_on_its_fault` corrupts a finished world in "
            f"{ledger['faults']} ways. Each corruption is a fault that only one check catches, and the test "
            f"asserts the message of that check, so each of the {ledger['checks']} checks is shown to fire. "
            "Random scenarios (Hypothesis) balance over their whole run."
        ),
        "determinism": (
            "`Result.fingerprint()` is a SHA-256 of every value of a result: the monthly table by jurisdiction, "
            "the national table and the fiscal-year table, column by column, in fixed-width types. "
            "`tests/test_determinism.py` stores the fingerprint of the frozen reference scenario "
            f"`tests/data/reference.yaml` (one year, two replications, seed 7): "
            f"`{figures['determinism']['fingerprint']}`."
        ),
    }


def _summary(total: Counter, signals: list, workers: list, schema: dict, load: dict, ledger: dict, det: int) -> str:
    rss = load["rss_mib"]
    rows = [
        ("malformed or extreme scenario and reform files tried",
         f"{total['files']:,} files, {total['accepted'] + total['refused']:,} loads: {total['accepted']:,} accepted, "
         f"{total['refused']:,} refused with a message, none crashed or hung"),
        ("interruptions of `run`, `compare` and `sweep` (real processes killed)",
         f"{len(signals)} signals and {len(workers)} killed Dask workers: nothing half-written, no corrupt catalog, "
         "every rerun clean"),
        ("requests Schemathesis generated from the OpenAPI schema",
         f"{schema['requests']:,} over {schema['operations']} operations, no 5xx"),
        (f"load test: {load['clients']} concurrent clients for {load['seconds']:.0f} s on loopback",
         f"{load['requests']:,} requests, {load['errors']} errors, server memory {rss['first_half']:.0f} → "
         f"{rss['last_half']:.0f} MiB"),
        ("ledger checks, each shown to fire on an injected fault",
         f"{ledger['checks']} checks, {ledger['faults']} faults"),
        ("determinism: the reference run's fingerprint",
         f"identical in-process, in 2 fresh processes, from the CLI, in threads, on Dask workers ({det} tests passed)"),
    ]  # fmt: skip
    return "\n".join(["| what | figure |", "|---|---|", *(f"| {what} | {figure} |" for what, figure in rows)])


def _load_block(load: dict) -> str:
    lat, rss = load["latency_ms"], load["rss_mib"]
    rows = [
        ("requests", f"{load['requests']:,} ({load['requests'] / load['seconds']:.0f} per second)"),
        ("errors", f"{load['errors']}"),
        ("latency, median", f"{lat['median']:.0f} ms"),
        ("latency, 95th percentile", f"{lat['p95']:.0f} ms"),
        ("latency, maximum", f"{lat['max'] / 1000:.1f} s"),
        ("server resident memory after warm-up",
         f"{rss['first_half']:.0f} MiB in the first half, {rss['last_half']:.0f} MiB in the second "
         f"(peak {rss['peak']:.0f} MiB)"),
    ]  # fmt: skip
    return "\n".join(["| figure | value |", "|---|---|", *(f"| {what} | {value} |" for what, value in rows)])


def _interrupt_block(kills: list[dict], seconds: float) -> str:
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for k in kills:
        groups[(k["command"], k["signal"])].append(k)
    order = {"SIGINT": 0, "SIGTERM": 1, "SIGKILL": 2, "run": 0, "compare": 1, "sweep": 2}
    lines = [
        "| command | signal | start-up | simulating | writing | after it finished | all survived |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for (command, sig), group in sorted(groups.items(), key=lambda g: (order.get(g[0][0], 9), g[0][0], order[g[0][1]])):
        where = Counter(k["phase"] for k in group)
        cells = " | ".join(str(where[p]) if where[p] else "" for p in PHASES)
        if group[0]["target"] == "worker":
            rc = group[0]["returncode"]
            name = f"`sweep`, a Dask worker killed, {'Dask gives up' if rc else 'Dask reschedules'}"
            outcome = "the sweep completes" if rc == 0 else f"one line, exit {rc}; the rerun resumes"
        else:
            name = f"`{command}`"
            left = sum(k["leftovers"] for k in group)
            what = "temporary files or series without a row" if command == "sweep" else "temporary file(s)"
            outcome = f"yes ({left} {what} left, removed or redone by the rerun)" if left else "yes"
        lines.append(f"| {name} | {sig} | {cells} | {outcome} |")
    signals = sum(1 for k in kills if k["target"] != "worker")
    workers = len(kills) - signals
    lines += [
        "",
        f"That is {signals} signals to commands and {workers} killed workers, all survived. The file took "
        f"{seconds / 60:.1f} minutes in this run.",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--markdown", type=Path, default=ROOT / "docs" / "reliability.md", help="the page to update")
    ap.add_argument("--figures", type=Path, help="render from these saved figures instead of running the tests")
    args = ap.parse_args()
    saved = args.markdown.with_name(args.markdown.stem + ".figures.json")
    if args.figures:
        figures = json.loads(args.figures.read_text())
    else:
        figures = measure()
        saved.write_text(json.dumps(figures, indent=1, sort_keys=True) + "\n")
        print(f"wrote {saved}")
    args.markdown.write_text(replace(args.markdown.read_text(), render(figures)))
    print(f"wrote {args.markdown}")


if __name__ == "__main__":
    main()
