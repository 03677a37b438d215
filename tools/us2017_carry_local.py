"""Carry the local-jurisdiction data of ``us-2017-prior`` into a calibrated scenario (by default ``us-2017``).

``tools/build_us2017.py`` rebuilds the prior from the figures in data/. The calibrated
default was made from an earlier prior, and calibration moves only calibratable parameters, so its
jurisdictions, dated events, description and ``booking_rate_factor`` are the prior's as they were then. This
tool copies those parts of the current prior into the target, leaving every other parameter (the calibrated
ones included) as it is, so the result can be recalibrated (docs/calibration.md)::

    python tools/build_us2017.py
    python tools/us2017_carry_local.py --out r6-start.yaml      # or --in-place
    immsim calibrate r6-start.yaml --out us-2017.yaml --report r6.md --name us-2017

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
#: Parameters that come from data/ (not from calibration) and travel with the jurisdictions.
LOCAL_PARAMETERS = ("booking_rate_factor", "share_287g_jails", "border_share")


def carry(prior: dict, target: dict, allow_new_codes: bool = False) -> dict:
    """``target`` with the jurisdictions, events, description and local parameters of ``prior``."""
    old = {j["code"] for j in target["jurisdictions"]}
    new = {j["code"] for j in prior["jurisdictions"]}
    if old != new and not allow_new_codes:
        raise SystemExit(
            f"jurisdiction codes differ (added {sorted(new - old)}, dropped {sorted(old - new)}); "
            "check calibrated jurisdiction tables, then pass --allow-new-codes"
        )
    out = dict(target)
    out["jurisdictions"] = prior["jurisdictions"]
    out["events"] = prior["events"]
    out["description"] = prior["description"]
    params = dict(target["parameters"])
    for name in LOCAL_PARAMETERS:
        if (params.get(name) or {}).get("calibratable"):
            continue  # calibrated: keep the target's value
        if name in prior["parameters"]:
            params[name] = prior["parameters"][name]
        else:
            params.pop(name, None)
    out["parameters"] = params
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
