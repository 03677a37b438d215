"""Carry the built inputs of ``us-2017-prior`` into a calibrated scenario (by default ``us-2017``).

``tools/build_us2017.py`` rebuilds the prior from the figures in data/. The calibrated
default was made from an earlier prior, and calibration moves only the values of calibratable parameters, so
everything else in it (jurisdictions, dated events, description, cohorts, regimes, initial conditions and every
parameter that is not calibratable: the local ``booking_rate_factor``, the court appearance parameters) is the
prior's as it was then. This tool copies all of that from the current prior into the target, keeping the
target's name, title and calibratable parameters (the calibrated values), so the result can be recalibrated
(docs/calibration.md)::

    python tools/build_us2017.py
    python tools/us2017_carry_local.py --out r6-start.yaml      # or --in-place
    immsim calibrate r6-start.yaml --out us-2017.yaml --report r6.md --name us-2017

A parameter is kept from the target if either file marks it ``calibratable`` and the target has it.
``tests/test_provenance.py`` checks that the shipped ``us-2017`` differs from the prior in nothing else.

Refuses if the prior and the target do not have the same jurisdiction codes, unless ``--allow-new-codes``
(new jurisdictions need no calibrated value of their own: jurisdiction tables fall back to ``default``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "immsim" / "scenario" / "data"
#: Top-level fields the target keeps: it is a different scenario from the prior.
OWN_FIELDS = ("name", "title")


def carry(prior: dict, target: dict, allow_new_codes: bool = False) -> dict:
    """``prior`` with the target's name, title and calibratable parameters (in the target's order of fields)."""
    old = {j["code"] for j in target["jurisdictions"]}
    new = {j["code"] for j in prior["jurisdictions"]}
    if old != new and not allow_new_codes:
        raise SystemExit(
            f"jurisdiction codes differ (added {sorted(new - old)}, dropped {sorted(old - new)}); "
            "check calibrated jurisdiction tables, then pass --allow-new-codes"
        )
    keys = list(target) + [k for k in prior if k not in target]
    out = {k: target[k] if k in OWN_FIELDS else prior[k] for k in keys if k in prior or k in OWN_FIELDS}
    calibrated = target["parameters"]
    out["parameters"] = {
        name: _calibrated(calibrated[name], spec)
        if name in calibrated and (spec.get("calibratable") or calibrated[name].get("calibratable"))
        else spec
        for name, spec in prior["parameters"].items()
    }
    return out


def _calibrated(entry: dict, spec: dict) -> dict:
    """The target's calibrated parameter, with the range and prior distribution the prior file now gives it.

    Calibration moves values, not ranges; and a prior distribution is an input of Bayesian calibration, not a
    calibrated value: both follow the prior file.
    """
    out = dict(entry)
    for key in ("range", "prior"):
        if key in spec:
            out[key] = spec[key]
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--prior", default=str(DATA / "us-2017-prior.yaml"))
    ap.add_argument("--target", default=str(DATA / "us-2017.yaml"))
    dest = ap.add_mutually_exclusive_group(required=True)
    dest.add_argument("--out", help="write the result here")
    dest.add_argument("--in-place", action="store_true", help="rewrite --target")
    ap.add_argument("--allow-new-codes", action="store_true")
    a = ap.parse_args(argv)
    target_text = Path(a.target).read_text()
    header = "".join(line + "\n" for line in target_text.splitlines() if line.startswith("#"))
    doc = carry(yaml.safe_load(Path(a.prior).read_text()), yaml.safe_load(target_text), a.allow_new_codes)
    out = Path(a.target if a.in_place else a.out)
    out.write_text(header + yaml.safe_dump(doc, sort_keys=False, width=110, allow_unicode=True))
    print(f"wrote {out}: {len(doc['jurisdictions'])} jurisdictions, {len(doc['events'])} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
