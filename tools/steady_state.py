"""Print the values that keep us-2017's stocks level: new convictions, and detention's split by path.

Enforcement removes people with convictions faster than others (more
bookings, detainers and at-large priority). Without new convictions the
convicted stock shrinks, by about a quarter a year at FY2017's rates, and a
decade's answers by criminal history would be about a population that no
longer exists. ``conviction_rate`` (people with no conviction convicted per
person-year in the community) and ``serious_share_of_convictions`` supply
the inflow. This tool finds the values at which the stock with convictions
(in the community and known at large, lesser and serious apart) neither grows
nor shrinks over the first year of ``us-2017``:

    new inflow of class h = old inflow of h - (net change of h's stock over the year)

a fixed-point step that assumes the outflow does not depend on the inflow
within a year (nearly so: outflows are proportional to the stock, which the
step keeps level). Two or three steps converge to within the noise.

It also prints the share of detained people whose case is in court, averaged
over months 4 to 12 (after the first quarter): the initial split of
detention by path (``detention_court_share``) that the model's own rates
keep. No published figure splits ICE's detained population this way; a split
the rates do not keep moves thousands of people between paths in the first
weeks of every run.

Run after a change that moves the convicted stock's outflow (a recalibration,
new booking or detainer rates), then copy the printed values into
``tools/build_us2017.py`` (``CONVICTION_RATE``, ``SERIOUS_SHARE_OF_CONVICTIONS``,
``DETENTION_COURT_SHARE``) and rebuild the scenarios::

    python tools/steady_state.py --steps 3 --replications 2
"""

from __future__ import annotations

import argparse

import numpy as np

import immsim

CONVICTED = ("lesser", "serious")


def _year(rate: float, serious: float, replications: int, seed: int) -> dict[str, float]:
    """Net change of each convicted class's stock and the mean stock with no conviction, over one year."""
    scenario = immsim.load_scenario("us-2017").with_changes(
        [
            {"parameter": "conviction_rate", "value": rate},
            {"parameter": "serious_share_of_convictions", "value": serious},
        ],
        name="steady-convictions",
    )
    r = immsim.simulate(scenario, years=1, replications=replications, seed=seed)
    h = r.by_history
    stock = (h.stock_community + h.stock_at_large).groupby([h.replication, h.month, h.criminal_history]).sum()
    stock = stock.groupby(["month", "criminal_history"]).mean().unstack()
    months = stock.index
    first, last = months[0], months[-1]
    per_year = 12.0 / (len(months) - 1)  # month-end stocks: the first is a month in
    out = {k: float(stock.loc[last, k] - stock.loc[first, k]) * per_year for k in CONVICTED}
    out["none"] = float(stock["none"].mean())
    n = r.monthly.groupby(["replication", "month"])[["stock_detained_court", "stock_detained_removal"]].sum()
    n = n.groupby("month").mean().iloc[3:]
    out["court_share"] = float((n.stock_detained_court / (n.stock_detained_court + n.stock_detained_removal)).mean())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, help="starting conviction_rate (default: the scenario's)")
    parser.add_argument("--serious-share", type=float, help="starting serious share (default: the scenario's)")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--replications", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    pars = immsim.load_scenario("us-2017").data.parameters
    rate = args.rate if args.rate is not None else float(pars["conviction_rate"].value)
    serious = (
        args.serious_share if args.serious_share is not None else float(pars["serious_share_of_convictions"].value)
    )
    for step in range(args.steps):
        d = _year(rate, serious, args.replications, args.seed)
        inflow = {"serious": rate * serious * d["none"], "lesser": rate * (1 - serious) * d["none"]}
        print(
            f"step {step}: rate {rate:.5f}, serious share {serious:.3f}; change over a year: "
            f"lesser {d['lesser']:+,.0f}, serious {d['serious']:+,.0f} (inflow {inflow['lesser']:,.0f}, "
            f"{inflow['serious']:,.0f})"
        )
        need = {k: max(inflow[k] - d[k], 0.0) for k in CONVICTED}
        total = need["lesser"] + need["serious"]
        rate, serious = total / d["none"], need["serious"] / total
    print(f"CONVICTION_RATE = {rate:.4g}")
    print(f"DETENTION_COURT_SHARE = {d['court_share']:.3f}")
    print(f"SERIOUS_SHARE_OF_CONVICTIONS = {np.round(serious, 3)}")


if __name__ == "__main__":
    main()
