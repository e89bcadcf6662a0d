"""Schemathesis fuzzes every operation in the app's own OpenAPI schema: whatever it sends, no 5xx."""

from __future__ import annotations

import schemathesis
from conftest import FakeChecker
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance, status_code_conformance

from serve.app import create_app
from serve.settings import Settings

APP = create_app(FakeChecker(), Settings(api_key="fuzz-key"))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)


@SCHEMA.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    checks = [not_a_server_error, status_code_conformance, response_schema_conformance]
    case.call_and_validate(headers={"Authorization": "Bearer fuzz-key"}, checks=checks)
