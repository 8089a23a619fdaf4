"""Property-based tests of the whole API from its own OpenAPI document (schemathesis).

Schemathesis generates valid and invalid requests for every operation and calls the app
in-process (ASGI, one worker). Two properties must hold for all of them: no input produces
a 5xx, and every response matches the schema ``/docs`` shows.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from server.app import create_app
from server.settings import Settings

# Network races are priced down to about half a second at most, so that fuzzing
# them checks every path without spending minutes on the largest races the default allows.
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(network_compute_budget=1_000_000_000)))


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
