"""The core install runs the model; the web app and the sweeps are extras, and say so when they are missing.

Each test runs the command line in a fresh interpreter where the extras'
packages cannot be imported (``sys.modules[name] = None`` makes any import of
them fail), as on a machine with only ``pip install immsim``.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from immsim._extras import EXTRAS
from scenarios import base, dump

BLOCKED = sorted({m for modules in EXTRAS.values() for m in modules})


def without_extras(*args: str, blocked=BLOCKED) -> subprocess.CompletedProcess:
    code = textwrap.dedent(
        f"""
        import sys
        for name in {list(blocked)!r}:
            sys.modules[name] = None
        sys.argv = ["immsim", *{list(args)!r}]
        from immsim.cli import main
        main()
        """
    )
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("extras") / "small.yaml"
    path.write_text(dump(base()))
    return str(path)


def test_the_blocking_works():
    """The check below means something only if a blocked package really cannot be imported."""
    proc = subprocess.run(
        [sys.executable, "-c", "import sys; sys.modules['duckdb'] = None; import duckdb"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr


def test_run_and_compare_need_no_extra(small, tmp_path):
    proc = without_extras("run", small, "--years", "0.25", "--replications", "1", "--out", str(tmp_path / "r"))
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert (tmp_path / "r" / "run.json").exists()
    proc = without_extras(
        "compare", small, small, "--years", "0.25", "--replications", "2", "--out", str(tmp_path / "c")
    )
    assert proc.returncode == 0, proc.stderr + proc.stdout


@pytest.mark.parametrize(
    ("args", "extra"),
    [
        (("serve",), "web"),
        (("sweep", "officers"), "sweep"),
        (("sensitivity", "nowhere"), "sweep"),
        (("calibrate", "us-2017", "--method", "abc", "--out", "/nonexistent/abc"), "bayes"),
    ],
)
def test_a_command_that_needs_an_extra_names_it(args, extra):
    proc = without_extras(*args, blocked=EXTRAS[extra])
    assert proc.returncode == 2, proc.stderr + proc.stdout
    said = " ".join((proc.stdout + proc.stderr).split())
    assert f"needs immsim's '{extra}' extra" in said and f"immsim[{extra}]" in said
    assert "Traceback" not in proc.stderr
