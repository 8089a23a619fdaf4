"""Property-based tests of the whole API from its own OpenAPI document (schemathesis).

Schemathesis generates valid and invalid requests for every operation and calls the app
in-process (ASGI, one worker), and runs every check it has on each response (as
``--checks all`` does): no input produces a 5xx, every status, content type, header and body
is the one ``/docs`` shows, invalid data is refused and valid data accepted, unsupported
methods get 405.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks

from descentlab.server.app import create_app
from descentlab.server.settings import Settings

# Network races and maps are priced down to about half a second at most, so that fuzzing
# them checks every path without spending minutes on the largest races the default allows.
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(Settings(network_compute_budget=1_000_000_000,
                                         map_budget=2_000_000)))


# Which schema-valid requests are refused. A JSON Schema cannot say "xmin < xmax", "a
# formula that parses" or "within the compute budget", so a schema-valid request may get a
# 422 for such a reason, named as a value or limit error; nor can it make a validator parse
# a query parameter that holds JSON text (contentMediaType is an annotation only). Any
# other refusal of valid data (a type, a bound, a missing field) means the schema and the
# server disagree, which is what schemathesis's own positive_data_acceptance looks for.
SEMANTIC_REFUSALS = {"value_error", "limit_exceeded"}


JSON_TEXT_QUERIES = {"request", "params"}  # query parameters whose text is JSON


def _what_the_schema_cannot_say(error: dict) -> bool:
    return error["type"] in SEMANTIC_REFUSALS or (
        error["loc"][:1] == ["query"] and error["loc"][1] in JSON_TEXT_QUERIES)


@schemathesis.check
def valid_data_refused_only_for_what_the_schema_cannot_say(ctx, response, case) -> None:
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    if response.status_code == 422:
        refused = [e for e in response.json()["detail"] if not _what_the_schema_cannot_say(e)]
        assert not refused, f"schema-valid data refused: {refused}"


load_all_checks()
EVERY_CHECK = [check for check in CHECKS.get_all()
               if check.__name__ != "positive_data_acceptance"]


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case):
    case.call_and_validate(checks=EVERY_CHECK)
