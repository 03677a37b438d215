"""The sweep spec: which scenario, which parameters to vary and how, how many replications.

A spec is a small YAML file::

    name: judges-officers
    scenario: us-2017            # a built-in name, or a path relative to this file
    years: 1
    seed: 1
    replications: 3
    design: grid                 # every combination of the listed factors
    parameters:
      immigration_judges: {scale: [0.8, 1.0, 1.2]}
      at_large_officers: {scale: [0.5, 1.0, 1.5]}

With ``design: sobol`` each ``scale`` is the ``[low, high]`` range of a
uniformly drawn factor and ``samples`` is Saltelli's base sample size N
(N x (parameters + 2) points). A factor multiplies every value of the
parameter in the scenario (table entries and dated steps alike).

Errors name the file, the line and the field, as for scenario files; a
factor that would push a parameter out of its bounds is refused here, before
any run starts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
import yaml
from pydantic import Field, ValidationError

from immsim._strict import Strict
from immsim.catalog import canonical_json
from immsim.errors import ScenarioError
from immsim.model.parameters import SPEC
from immsim.scenario.checks import value_problem
from immsim.scenario.loader import Scenario, builtin_names, load_scenario
from immsim.scenario.reform import scaled_entry
from immsim.scenario.yamldoc import dotted, line_of, load_document, read_yaml, validation_error
from immsim.store import scenario_hash

MAX_POINTS = 100_000
Factor = Annotated[float, Field(gt=0, le=1e6, allow_inf_nan=False)]


class Range(Strict):
    """Grid: the factors to try. Sobol: ``[low, high]`` of a uniform factor."""

    scale: list[Factor] = Field(min_length=1)


class SpecFile(Strict):
    name: str = Field("sweep", min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    scenario: str = Field("us-2017", min_length=1)
    start: dt.date | None = None
    years: Annotated[float, Field(gt=0, le=60, allow_inf_nan=False)] = 1.0
    seed: Annotated[int, Field(ge=0, lt=2**62)] = 1
    replications: Annotated[int, Field(ge=1, le=1000)] = 1
    design: Literal["grid", "sobol"] = "grid"
    samples: Annotated[int, Field(ge=2, le=65536)] | None = None
    parameters: dict[str, Range] = Field(min_length=1)


@dataclass(frozen=True)
class Spec:
    """A validated spec, its base scenario, and the id that names the sweep in a catalog."""

    data: SpecFile
    path: str
    text: str
    scenario: Scenario
    scenario_hash: str

    @property
    def names(self) -> list[str]:
        return list(self.data.parameters)

    def resolved(self) -> dict:
        """What determines the sweep's runs, with the scenario by hash (not by where it was found)."""
        d = self.data
        return {
            "scenario": self.scenario.name,
            "scenario_hash": self.scenario_hash,
            "start": (d.start or self.scenario.data.start).isoformat(),
            "years": d.years,
            "seed": d.seed,
            "replications": d.replications,
            "design": d.design,
            "samples": d.samples,
            "parameters": [[k, list(r.scale)] for k, r in d.parameters.items()],  # order sets the design
        }

    @property
    def id(self) -> str:
        return hashlib.sha256(canonical_json(self.resolved()).encode()).hexdigest()[:16]

    @property
    def start(self) -> dt.date:
        return self.data.start or self.scenario.data.start


def load_spec(path: str | Path) -> Spec:
    """Read and validate a spec file; raises ``ScenarioError`` naming file, line and field."""
    shown = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ScenarioError(shown, "", f"cannot read the file ({e.strerror or e})") from None
    except UnicodeDecodeError as e:
        raise ScenarioError(shown, "", f"not UTF-8 text (byte {e.start})") from None
    return parse_spec(text, shown, Path(path).parent)


def spec_from_dict(doc: dict, base_dir: str | Path = ".") -> Spec:
    """A spec given as a Python mapping (the ``immsim.sweep`` API); paths are relative to ``base_dir``."""
    return parse_spec(yaml.safe_dump(doc, sort_keys=False), "<spec>", Path(base_dir))


def parse_spec(text: str, shown: str, base_dir: Path, scenario: Scenario | None = None) -> Spec:
    """Validate spec ``text``; ``scenario``, if given, is the base scenario already loaded (as stored in a catalog)."""
    doc, lines = read_yaml(text, shown)
    try:
        data = SpecFile.model_validate(doc)
    except ValidationError as e:
        raise validation_error(e, doc, lines, shown) from None

    def fail(loc: tuple, problem: str) -> ScenarioError:
        return ScenarioError(shown, dotted(loc), problem, line_of(lines, loc))

    scenario = scenario or _load_base(data.scenario, base_dir, fail)
    problem = _design_problem(data) or _factor_problem(data, scenario)
    if problem:
        raise fail(*problem)
    return Spec(data, shown, text, scenario, scenario_hash(scenario.text))


def _load_base(name: str, base_dir: Path, fail) -> Scenario:
    """The base scenario: a built-in name, or a file relative to the spec."""
    if name in builtin_names():
        return load_scenario(name)
    path = Path(name) if Path(name).is_absolute() else base_dir / name
    if not path.is_file():
        raise fail(("scenario",), f"no such built-in scenario or file {str(path)!r}")
    return load_scenario(path)


def _design_problem(data: SpecFile) -> tuple[tuple, str] | None:
    if data.design == "sobol":
        if data.samples is None:
            return ("samples",), "a Sobol design needs 'samples' (the base sample size N, a power of 2)"
        if data.samples & (data.samples - 1):
            return ("samples",), f"must be a power of 2 for a balanced Sobol sequence (got {data.samples})"
        for name, r in data.parameters.items():
            if len(r.scale) != 2 or not r.scale[0] < r.scale[1]:
                return ("parameters", name, "scale"), "a Sobol design takes [low, high] with low < high"
        problem = _sobol_pairing_problem(list(data.parameters), data.samples, data.seed)
        if problem:
            return ("samples",), problem
        points = data.samples * (len(data.parameters) + 2)
    else:
        if data.samples is not None:
            return ("samples",), "'samples' applies to design: sobol only"
        points = 1
        for name, r in data.parameters.items():
            if len(set(r.scale)) != len(r.scale):
                return ("parameters", name, "scale"), "a factor is listed twice"
            points *= len(r.scale)
    if points * data.replications > MAX_POINTS:
        return ("parameters",), f"{points * data.replications:,} runs is more than the limit of {MAX_POINTS:,}"
    return None


def _factor_problem(data: SpecFile, scenario: Scenario) -> tuple[tuple, str] | None:
    """Parameter names exist, and the extreme factors keep every value within the parameter's bounds."""
    doc = load_document(scenario.text)
    for name, r in data.parameters.items():
        if name not in SPEC or name not in doc["parameters"]:
            return ("parameters", name), f"unknown parameter (scenario {scenario.name} has no {name!r})"
        spec = SPEC[name]
        for factor in (min(r.scale), max(r.scale)):
            entry = scaled_entry(doc["parameters"][name], factor)
            steps = [s["value"] for s in entry["series"]] if entry.get("series") else [entry["value"]]
            for value in steps:
                msg = value_problem(value, spec.dims, spec.lo, spec.hi, scenario.data)
                if msg:
                    return ("parameters", name, "scale"), f"factor {factor:g} gives a value out of bounds: {msg}"
    return None


def _sobol_pairing_problem(names: list[str], n: int, seed: int) -> str | None:
    """Refuse a Sobol sample whose A and B matrices are nearly the same for some parameter.

    Saltelli's estimators swap one column of A for the same column of an
    independent B; for a uniform factor E[(a - b)^2] is twice its variance.
    The first points of a Sobol sequence can pair dimensions i and d + i
    closely when N is small for d (5 parameters with N = 16, for one), and
    the indices of those parameters then come out far too small. The check
    runs on the unit cube, so it costs nothing.
    """
    from SALib.sample import sobol

    d = len(names)
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    s = np.asarray(sobol.sample(problem, n, calc_second_order=False, scramble=True, seed=seed))
    a, b = s[0 :: d + 2], s[d + 1 :: d + 2]
    ratio = ((a - b) ** 2).mean(axis=0) / (2 / 12)
    if ratio.min() < 0.5:
        return (
            f"{n} base samples are too few for {d} parameters: the Sobol sequence pairs the two samples of "
            f"{names[int(ratio.argmin())]} closely (spread {ratio.min():.2f} of the expected); use {2 * n} or more"
        )
    return None
