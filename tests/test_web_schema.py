"""Schemathesis against the web app's OpenAPI schema: no generated request gets a 5xx.

Schemathesis reads ``/openapi.json`` and generates requests for every
operation, valid and invalid ones (wrong types, missing fields, odd strings
in path parameters, random uploads). Valid run requests really queue runs,
so the limits are tight: a run is at most a tenth of a year and few may wait.
"""

from __future__ import annotations

import itertools

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from immsim.web import create_app
from immsim.web.api import Limits

pytestmark = pytest.mark.slow

DATA = None
COUNT = itertools.count()


def _app():
    import tempfile

    global DATA
    DATA = tempfile.mkdtemp(prefix="immsim-schemathesis-")
    limits = Limits(max_years=0.1, max_replications=2, max_simulated_years=0.2, workers=1, max_waiting=3)
    return create_app(DATA, limits)


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, headers={"host": "127.0.0.1"})


@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_no_request_gets_a_server_error(case):
    next(COUNT)
    case.call_and_validate(headers={"host": "127.0.0.1"}, checks=[not_a_server_error])


def teardown_module() -> None:
    import shutil

    APP.state.runner.close()
    print(f"schemathesis: {next(COUNT)} requests")
    shutil.rmtree(DATA, ignore_errors=True)
