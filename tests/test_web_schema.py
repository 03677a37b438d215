"""Schemathesis against the web app's OpenAPI schema: no generated request gets a 5xx.

Schemathesis reads ``/openapi.json`` and generates requests for every
operation, valid and invalid ones (wrong types, missing fields, odd strings
in path parameters, random uploads). Valid run requests really queue runs,
so the limits are tight: a run is at most a tenth of a year and few may wait.

The app that answers the requests, and its data folder, are made in a
fixture (pytest removes the folder). Schemathesis needs the OpenAPI document
when it collects the module, so a throwaway app gives it at import inside a
temporary folder that is removed before the import returns: collecting this
module (even with ``-m "not slow"``) leaves nothing behind. (Schemathesis's
``from_fixture`` would avoid the throwaway app, but it fails on pytest 9.)
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from figures import save
from immsim.web import create_app
from immsim.web.api import Limits

pytestmark = pytest.mark.slow

COUNT = itertools.count()


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    """The app on a data folder pytest owns (and removes), with its runner closed at the end."""
    data = tmp_path_factory.mktemp("immsim-schemathesis")
    limits = Limits(max_years=0.1, max_replications=2, max_simulated_years=0.2, workers=1, max_waiting=3)
    app = create_app(data, limits)
    yield app
    app.state.runner.close()
    requests = next(COUNT)
    print(f"schemathesis: {requests} requests")
    save("schemathesis", {"requests": requests, "operations": len(list(schema.get_all_operations()))})


def _openapi_document() -> dict[str, Any]:
    """The app's OpenAPI document, from an app whose folder and runner are gone when this returns."""
    with tempfile.TemporaryDirectory(prefix="immsim-openapi-") as folder:
        app = create_app(folder)
        try:
            return app.openapi()
        finally:
            app.state.runner.close()


schema = schemathesis.openapi.from_dict(_openapi_document())


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_no_request_gets_a_server_error(case, web_app: FastAPI):
    next(COUNT)
    # a generous timeout: on a loaded 2-core machine, listing the scenarios (parsing us-2017) once took over 10 s
    case.call_and_validate(headers={"host": "127.0.0.1"}, checks=[not_a_server_error], app=web_app, timeout=120)
