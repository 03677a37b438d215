"""The scenarios the web app offers: the built-in ones, and files people upload.

An uploaded file is validated like any scenario, then kept in the data
directory under a name made from its content (``u-`` and 16 hex digits), so
the same file uploaded twice is one scenario. Scenario ids from a request are
only ever matched against the built-in names and that pattern: no file path
from a request reaches the file system.

An uploaded reform may only name a built-in scenario as its ``base``: a path
in an uploaded file must not make the server read its own disk.

A scenario may also have a *posterior ensemble* (``immsim calibrate --method
abc`` writes one), which runs "over the assumptions" draw their parameter sets
from: the one uploaded for it here (``<id>.posterior.csv``), else the one
shipped beside its built-in scenario or its built-in base, which is what
``--uncertainty posterior`` reads on the command line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from immsim._files import atomic_write
from immsim.errors import ImmsimError, ScenarioError
from immsim.scenario.loader import MAX_BYTES, Scenario, builtin_names, load_scenario, parse_scenario
from immsim.scenario.yamldoc import read_yaml
from immsim.store import scenario_hash
from immsim.uncertainty import Ensemble, packaged_posterior, read_ensemble

UPLOAD_ID = re.compile(r"^u-[0-9a-f]{16}$")
#: Population of an uploaded scenario, summed over jurisdictions: 10x the built-in national scenario, about.
MAX_POPULATION = 150_000_000


@dataclass(frozen=True)
class Entry:
    """A scenario the app can run, by id."""

    id: str
    scenario: Scenario
    kind: str  # "built-in" or "upload"

    def describe(self) -> dict:
        d = self.scenario.data
        return {
            "id": self.id,
            "name": d.name,
            "title": d.title,
            "description": d.description,
            "kind": self.kind,
            "base": self.scenario.base,
        }


class Library:
    """Built-in scenarios and the uploads kept in ``directory``."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self._cache: dict[str, Entry] = {}

    def ids(self) -> list[str]:
        uploads = sorted(p.stem for p in self.dir.glob("u-*.yaml") if UPLOAD_ID.match(p.stem))
        return [*builtin_names(), *uploads]

    def get(self, scenario_id: str) -> Entry | None:
        """The scenario with this id, or None (also for any id that is not a known name)."""
        if scenario_id in self._cache:
            return self._cache[scenario_id]
        if scenario_id in builtin_names():
            entry = Entry(scenario_id, load_scenario(scenario_id), "built-in")
        elif UPLOAD_ID.match(scenario_id) and (self.dir / f"{scenario_id}.yaml").is_file():
            text = (self.dir / f"{scenario_id}.yaml").read_text(encoding="utf-8")
            entry = Entry(scenario_id, parse_scenario(text, scenario_id), "upload")
        else:
            return None
        self._cache[scenario_id] = entry
        return entry

    def add(self, raw: bytes, filename: str) -> Entry:
        """Validate an uploaded file and keep it; raises ``ScenarioError`` naming the file, line and field."""
        shown = Path(filename or "upload.yaml").name[:100] or "upload.yaml"
        if len(raw) > MAX_BYTES:
            raise ScenarioError(shown, "", f"file is larger than the {MAX_BYTES // 1_000_000} MB limit")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise ScenarioError(shown, "", f"not UTF-8 text (byte {e.start})") from None
        doc, lines = read_yaml(text, shown)
        base = doc.get("base")
        if base is not None and base not in builtin_names():
            known = ", ".join(builtin_names())
            raise ScenarioError(
                shown, "base", f"an uploaded reform must name a built-in base ({known})", lines.get(("base",))
            )
        scenario = parse_scenario(text, shown)
        total = sum(j.removable_population for j in scenario.data.jurisdictions)
        if total > MAX_POPULATION:
            raise ScenarioError(
                shown, "jurisdictions", f"total population {total:,} is above the app's limit of {MAX_POPULATION:,}"
            )
        scenario_id = f"u-{scenario_hash(text)}"
        path = self.dir / f"{scenario_id}.yaml"
        if not path.exists():
            atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
        entry = Entry(scenario_id, parse_scenario(text, scenario_id), "upload")
        self._cache[scenario_id] = entry
        return entry

    # --- posterior ensembles ------------------------------------------------------------------------------------------

    def _uploaded_posterior(self, scenario_id: str) -> Path:
        return self.dir / f"{scenario_id}.posterior.csv"  # a built-in name or an upload id, never a path

    def posterior_file(self, entry: Entry) -> Path | None:
        """The ensemble a run of ``entry`` over the posterior would draw from, or None if there is none.

        The one uploaded for it; else, for a built-in scenario or an uploaded reform of one (an upload's
        ``base`` is always built-in), the one uploaded for that built-in, else the one shipped with it.
        """
        own = self._uploaded_posterior(entry.id)
        if own.is_file():
            return own
        builtin = entry.scenario.base if entry.kind == "upload" else entry.id
        if builtin is None or builtin not in builtin_names():
            return None
        for path in (self._uploaded_posterior(builtin), packaged_posterior(builtin)):
            if path.is_file():
                return path
        return None

    def posterior_note(self, entry: Entry) -> str:
        """Where the scenario's posterior comes from, or why there is none: what the run form says."""
        path = self.posterior_file(entry)
        if path == self._uploaded_posterior(entry.id):
            return "the posterior ensemble uploaded for this scenario"
        if path is not None and path.parent == self.dir:
            return f"the posterior ensemble uploaded for its base, {entry.scenario.base}"
        if path is not None:
            return f"the posterior ensemble shipped with {entry.scenario.base or entry.id}"
        name = entry.scenario.base or entry.id
        return (
            f"no posterior ensemble is shipped with {name} or uploaded for it, so runs here carry the Monte Carlo "
            f"band only; make one with `immsim calibrate {name} --method abc --out DIR` and upload DIR/posterior.csv"
        )

    def ensemble(self, entry: Entry) -> Ensemble:
        """The scenario's posterior ensemble; ``ImmsimError`` with ``posterior_note`` when there is none."""
        path = self.posterior_file(entry)
        if path is None:
            raise ImmsimError(f"cannot run over the posterior: {self.posterior_note(entry)}")
        return read_ensemble(path)

    def add_posterior(self, entry: Entry, raw: bytes, filename: str) -> Ensemble:
        """Validate an uploaded ensemble file against ``entry`` and keep it as the scenario's posterior."""
        import tempfile

        shown = Path(filename or "posterior.csv").name[:100] or "posterior.csv"
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "posterior.csv"
            path.write_bytes(raw)
            try:
                ensemble = read_ensemble(path)
            except ImmsimError as e:  # the message names the file as the user knows it, not the temporary copy
                raise ImmsimError(str(e).replace(str(path), shown)) from None
        params = entry.scenario.data.parameters
        unknown = [p for p in ensemble.parameters if p not in params]
        if unknown:
            raise ImmsimError(
                f"the ensemble moves {', '.join(unknown)}, which {entry.scenario.name} does not have: "
                "was it made for another scenario?"
            )
        atomic_write(self._uploaded_posterior(entry.id), lambda p: p.write_bytes(raw))
        return ensemble
