"""The test suite itself: importing a test module must not touch the machine.

A module that makes folders or starts threads at import does so whenever
pytest collects it, even when its tests are deselected (``-m "not slow"``),
and nothing cleans up after a collection.
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
from pathlib import Path

import pytest

TESTS = Path(__file__).parent


def test_importing_the_web_schema_module_creates_no_temporary_folder(tmp_path, monkeypatch):
    pytest.importorskip("schemathesis")
    probe = tmp_path / "tmp"
    probe.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(probe))  # where mkdtemp and friends would write
    monkeypatch.setenv("TMPDIR", str(probe))
    spec = importlib.util.spec_from_file_location("web_schema_probe", TESTS / "test_web_schema.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "web_schema_probe", module)
    spec.loader.exec_module(module)  # a fresh execution of the module's top level
    assert list(probe.iterdir()) == []
