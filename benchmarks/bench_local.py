"""What local jurisdictions cost: the default scenario against the same scenario merged back into states.

``us-2017`` has 130 jurisdictions (79 listed counties and cities plus the rest
of each state). This benchmark merges them back into the 51 state-level
jurisdictions (each state's people summed, the rest-of-state policy, local
events and local parameter entries dropped) and times ten national years of
each, one replication, in separate processes (so that each has its own peak
memory), alternating their order. The figure that matters is the ratio, both
measured in the same run on the same machine (the goal: at most 1.2).

    .venv/bin/python benchmarks/bench_local.py [--years 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import yaml

import immsim
from immsim.scenario.loader import parse_scenario
from immsim.scenario.yamldoc import load_document


def state_level(name: str = "us-2017") -> str:
    """The scenario's text with every local jurisdiction merged into the rest of its state."""
    sc = immsim.load_scenario(name)
    doc = load_document(sc.text)
    local = {j["code"]: j["state"] for j in doc["jurisdictions"] if j["code"] != j["state"]}
    people: dict[str, int] = {}
    for j in doc["jurisdictions"]:
        people[j["state"]] = people.get(j["state"], 0) + int(j["removable_population"])
    doc["jurisdictions"] = [
        {**j, "removable_population": people[j["state"]], "kind": "state"}
        for j in doc["jurisdictions"]
        if j["code"] not in local
    ]
    doc["events"] = [e for e in doc.get("events", []) if e.get("target") not in local]
    for p in doc["parameters"].values():
        for step in [p] + list(p.get("series") or []):
            if isinstance(step.get("value"), dict):
                step["value"] = {k: v for k, v in step["value"].items() if k not in local}
    doc["name"] = f"{doc['name']}-states"
    text = yaml.safe_dump(doc, sort_keys=False, width=110, allow_unicode=True)
    parse_scenario(text, "<state-level>")  # valid, or fail here
    return text


def _child(path: str, years: float) -> None:
    sc = immsim.load_scenario(path)
    immsim.simulate(sc, years=0.1, seed=1)  # compiled and warm: the timing is the run alone
    t0, c0 = time.perf_counter(), time.process_time()
    immsim.simulate(sc, years=years, seed=1)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux reports KiB)
    print(json.dumps({"wall": wall, "cpu": cpu, "peak_mib": peak, "jurisdictions": len(sc.data.jurisdictions)}))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=float, default=10.0)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.years)
        return 0
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
        f.write(state_level())
    runs: dict[str, list[dict]] = {"local": [], "states": []}
    order = ["local", "states"]
    for r in range(args.rounds):
        for kind in order if r % 2 == 0 else order[::-1]:
            target = "us-2017" if kind == "local" else f.name
            out = subprocess.run(
                [sys.executable, __file__, "--child", target, "--years", str(args.years)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs[kind].append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = {k: min(v, key=lambda x: x["cpu"]) for k, v in runs.items()}
    print(f"{args.years:g} national years, one replication, best of {args.rounds} (CPU seconds; wall; peak memory)")
    for kind, b in best.items():
        print(
            f"  {kind:7s} {b['jurisdictions']:4d} jurisdictions: {b['cpu']:7.1f} s CPU  {b['wall']:7.1f} s wall  "
            f"{b['peak_mib']:7.0f} MiB"
        )
    ratio = best["local"]["cpu"] / best["states"]["cpu"]
    print(f"  ratio local / states (CPU): {ratio:.2f} (goal: at most 1.20)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
