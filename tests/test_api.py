"""The HTTP API through real HTTP clients: in-process (TestClient) and a live uvicorn server.

Every JSON body is parsed with a parser that refuses NaN and Infinity, so a number the
server failed to make finite fails the test that produced it.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from xml.etree import ElementTree

import anyio
import httpx2
import pytest
import uvicorn
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from descentlab import engine
from descentlab.engine.lesson_plan import LESSON_PLAN
from descentlab.server import docs, translate
from descentlab.server.app import create_app
from descentlab.server.errors import ApiError
from descentlab.server.gate import Gate
from descentlab.server.settings import Settings

API = "/api/v1"
ROSENBROCK = {
    "surface": {"id": "rosenbrock", "params": {"b": 100}},
    "start": [-1.5, 2.0], "steps": 300,
    "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 0.001}},
                   {"id": "adam", "label": "Adam fast", "hyperparameters": {"lr": 0.05},
                    "schedule": {"kind": "cosine_restarts", "period": 200}}],
    "gradient": {"clip_norm": None, "noise_std": 0.0, "seed": 0},
    "record": {"state": True}}
EVERY_OPTIMIZER = [o.id for o in engine.optimizers()]
HEAVY = {"surface": {"id": "rosenbrock"}, "steps": 20_000, "record": {"state": True},
         "optimizers": [{"id": o} for o in EVERY_OPTIMIZER[:12]]}  # within the budget


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} in a response")


def strict(text: str | bytes):
    """JSON as the API promises it: NaN, Infinity and -Infinity are errors."""
    return json.loads(text, parse_constant=_refuse)


def detail(response: httpx2.Response) -> list[dict]:
    body = strict(response.text)
    assert set(body) == {"detail"}
    return body["detail"]


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as c:
        yield c


def race(client: TestClient, body: dict) -> dict:
    response = client.post(f"{API}/races", json=body)
    assert response.status_code == 200, response.text
    return strict(response.text)


# --------------------------------------------------------------------------- health, catalogue


def test_health_and_readiness(client):
    assert strict(client.get("/healthz").text) == {"status": "ok"}
    ready = strict(client.get("/readyz").text)
    assert ready["status"] == "ready" and ready["heavy_slots"] == 4


@pytest.mark.parametrize("name,ids", [
    ("surfaces", [s.id for s in engine.surfaces()]),
    ("optimizers", EVERY_OPTIMIZER),
    ("schedules", [s.id for s in engine.schedules()]),
    ("scenarios", [s for c in LESSON_PLAN for s in c.scenarios]),
])
def test_catalogues_list_every_entry(client, name, ids):
    response = client.get(f"{API}/{name}")
    assert response.status_code == 200
    assert [entry["id"] for entry in strict(response.text)] == ids


def test_limits_are_published(client):
    limits = strict(client.get(f"{API}/limits").text)
    assert limits["max_steps"] == 20_000 and limits["compute_budget"] == 240_000


@pytest.mark.parametrize("scenario", engine.scenarios(), ids=lambda s: s.id)
def test_every_scenario_request_runs(client, scenario):
    document = race(client, scenario.to_dict()["request"])
    assert [run["label"] for run in document["runs"]] == [
        o["label"] for o in scenario.to_dict()["request"]["optimizers"]]


@pytest.mark.parametrize("scenario", [*engine.scenarios(), *engine.map_scenarios(),
                                      *engine.network_scenarios()], ids=lambda s: s.id)
def test_every_scenario_has_a_thumbnail_of_its_own_paths_or_map(client, scenario):
    response = client.get(f"{API}/scenarios/{scenario.id}/thumbnail.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    svg = ElementTree.fromstring(response.content)
    drawn = svg.findall("{http://www.w3.org/2000/svg}polyline")
    if isinstance(scenario, engine.Scenario):  # one path per run, in its catalogue colour
        colours = [engine.get_optimizer(o["id"]).color for o in scenario.optimizers]
        assert [p.get("stroke") for p in drawn] == colours
        assert all(len(p.get("points").split()) > 1 for p in drawn)
    elif isinstance(scenario, engine.NetworkScenario):  # a loss curve per run, same colours
        colours = [engine.get_optimizer(o["id"]).color for o in scenario.race["optimizers"]]
        assert [p.get("stroke") for p in drawn][:len(colours)] == colours
    else:
        assert not drawn and svg.find("{http://www.w3.org/2000/svg}image") is not None
    again = client.get(f"{API}/scenarios/{scenario.id}/thumbnail.svg",
                       headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_an_unknown_scenario_has_no_thumbnail(client):
    response = client.get(f"{API}/scenarios/nope/thumbnail.svg")
    assert response.status_code == 404 and "GET /scenarios" in response.json()["detail"][0]["msg"]


def test_etag_and_304(client):
    first = client.get(f"{API}/surfaces")
    tag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = client.get(f"{API}/surfaces", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(f"{API}/surfaces", headers={"If-None-Match": '"other"'}).status_code == 200


def test_gzip_when_asked_and_large(client):
    zipped = client.get(f"{API}/surfaces", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    plain = client.get(f"{API}/surfaces", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert zipped.content == plain.content  # the client decodes
    posted = client.post(f"{API}/races", json=ROSENBROCK, headers={"Accept-Encoding": "gzip"})
    assert posted.headers["content-encoding"] == "gzip"
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


@pytest.mark.parametrize("path", ["/surfaces", "/races"])
def test_zstd_is_preferred_and_each_encoding_has_its_own_etag(client, path):
    def fetch(accept: str) -> httpx2.Response:
        if path == "/races":
            return client.post(f"{API}{path}", json=ROSENBROCK, headers={"Accept-Encoding": accept})
        return client.get(f"{API}{path}", headers={"Accept-Encoding": accept})

    plain, zipped, packed = fetch("identity"), fetch("gzip"), fetch("gzip, deflate, br, zstd")
    assert "content-encoding" not in plain.headers
    assert zipped.headers["content-encoding"] == "gzip"
    assert packed.headers["content-encoding"] == "zstd"
    assert packed.content == zipped.content == plain.content  # the client decodes both
    tags = {r.headers["etag"] for r in (plain, zipped, packed)}
    assert len(tags) == 3 and all("Accept-Encoding" in r.headers["vary"]
                                  for r in (plain, zipped, packed))


# --------------------------------------------------------------------------- grids


def test_surface_grid(client):
    response = client.get(f"{API}/surfaces/rosenbrock/grid",
                          params={"resolution": 21, "params": '{"b": 50}',
                                  "view": [-2, 2, -1, 3]})
    grid = strict(response.text)
    assert len(grid["x"]) == len(grid["y"]) == 21 and len(grid["z"]) == 21
    assert grid["surface"]["params"]["b"] == 50 and grid["x"][0] == -2
    assert grid["z_range"][0] <= grid["z_range"][1]
    assert "immutable" not in response.headers["cache-control"] and response.headers["etag"]
    cached = client.get(f"{API}/surfaces/rosenbrock/grid",
                        params={"resolution": 21, "params": '{"b": 50}', "view": [-2, 2, -1, 3]},
                        headers={"If-None-Match": response.headers["etag"]})
    assert cached.status_code == 304


def test_expression_grid_with_infinite_values(client):
    grid = strict(client.get(f"{API}/expressions/grid",
                             params={"expression": "1/x", "resolution": 3}).text)
    assert grid["z"][1][1] is None  # 1/0 at the centre: null, not Infinity
    assert grid["surface"]["expression"]["latex"] == r"\frac{1}{x}"


def test_grid_errors(client):
    missing = client.get(f"{API}/surfaces/nowhere/grid")
    assert missing.status_code == 404
    assert detail(missing)[0]["loc"] == ["path", "surface_id"]
    bad = client.get(f"{API}/surfaces/rosenbrock/grid", params={"params": '{"b": "x"}'})
    assert bad.status_code == 422 and detail(bad)[0]["loc"][:2] == ["query", "params"]
    unknown = client.get(f"{API}/surfaces/rosenbrock/grid", params={"params": '{"q": 1}'})
    assert detail(unknown)[0]["loc"] == ["query", "params", "q"]
    big = client.get(f"{API}/surfaces/rosenbrock/grid", params={"resolution": 5000})
    assert big.status_code == 422
    assert "DESCENTLAB_MAX_GRID_RESOLUTION" in detail(big)[0]["msg"]
    typo = client.get(f"{API}/expressions/grid", params={"expression": "x**2 + * y"})
    assert typo.status_code == 422
    error = detail(typo)[0]
    assert error["loc"] == ["query", "expression"] and error["column"] == 8


# --------------------------------------------------------------------------- races


def test_race_document(client):
    document = race(client, ROSENBROCK)
    assert document["surface"]["id"] == "rosenbrock" and document["surface"]["f_star"] == 0.0
    assert document["steps"] == 300 and document["starts"] == [[-1.5, 2.0]]
    sgd, adam = document["runs"]
    assert sgd["label"] == "SGD" and adam["label"] == "Adam fast"
    assert adam["hyperparameters"] == {"lr": 0.05, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8,
                                       "weight_decay": 0.0, "bias_correction": 1.0}
    assert adam["schedule"]["kind"] == "cosine_restarts" and adam["schedule"]["period"] == 200
    for key in ("path", "loss", "grad_norm", "lr", "grad"):
        assert len(adam[key]) == 301, key
    assert adam["path"][0] == [-1.5, 2.0] and adam["lr"][0] is None and adam["lr"][1] == 0.05
    assert set(adam["state"]) == {"m", "v"} and len(adam["state"]["m"]) == 301
    assert {"m_hat", "v_hat", "effective_lr"} <= set(adam["derived"])
    assert sgd["state"] == {} and sgd["derived"] == {}
    assert adam["status"] in {"converged", "stalled", "unfinished"}
    assert adam["final"]["point"] == adam["path"][-1]


def test_several_starts_and_final_only(client):
    document = race(client, {"surface": {"id": "himmelblau"}, "steps": 50,
                             "starts": [[0, 0], [1, -3], [-1, -1]],
                             "optimizers": [{"id": "sgd"}, {"id": "adam"}],
                             "record": {"path": False}})
    runs = document["runs"]
    assert [(r["optimizer"], r["start_index"]) for r in runs] == [
        ("sgd", 0), ("sgd", 1), ("sgd", 2), ("adam", 0), ("adam", 1), ("adam", 2)]
    assert all("path" not in r for r in runs)


def test_default_start_is_the_surface_suggestion(client):
    document = race(client, {"surface": {"id": "rosenbrock"}, "steps": 5,
                             "optimizers": [{"id": "sgd"}]})
    suggested = engine.get_surface("rosenbrock").starts[0]
    assert document["starts"] == [list(suggested)]


def test_the_start_curvature_and_each_runs_stable_learning_rate(client):
    """λ_max at the start (Rosenbrock's Hessian at (-1.5, 2) by hand: 1200x² − 400y + 2 = 1902,
    −400x = 600, 200) and, for gradient descent and the heavy ball, the largest stable rate
    there, as the theory of the local quadratic gives it; adaptive methods get none."""
    body = {"surface": {"id": "rosenbrock"}, "start": [-1.5, 2.0], "steps": 5,
            "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 0.002}},
                           {"id": "momentum", "hyperparameters": {"lr": 1e-4,
                                                                   "momentum": 0.5}},
                           {"id": "sgd", "hyperparameters": {"lr": 1e-4, "lr_y": 1e-5}},
                           {"id": "adam"}]}
    hxx, hxy, hyy = 1902.0, 600.0, 200.0
    lam = (hxx + hyy) / 2 + math.hypot((hxx - hyy) / 2, hxy)
    document = race(client, body)
    assert document["lambda_max"] == [pytest.approx(lam, rel=1e-12)]
    sgd, momentum, scaled, adam = (r["stability"] for r in document["runs"])
    assert sgd == {"lr_limit": pytest.approx(2 / lam, rel=1e-12), "rule": "2/λ_max"}
    assert 0.002 * lam > 2  # the page warns beside this rate
    assert momentum["lr_limit"] == pytest.approx(3 / lam, rel=1e-12)
    # lr_y = lr/10 scales the y row and column of the Hessian: S^½ H S^½
    sy = 0.1
    lam_scaled = (hxx + sy * hyy) / 2 + math.hypot((hxx - sy * hyy) / 2, math.sqrt(sy) * hxy)
    assert scaled["lr_limit"] == pytest.approx(2 / lam_scaled, rel=1e-12)
    assert adam is None
    meta = ndjson(client, body)[0]
    assert meta["lambda_max"] == document["lambda_max"]
    assert [r["stability"] for r in meta["runs"]] == [r["stability"] for r in document["runs"]]
    # a concave start has no limit to give
    concave = race(client, {"surface": {"expression": "-(x**2) - y**2"}, "start": [1, 1],
                            "steps": 2, "optimizers": [{"id": "sgd"}]})
    assert concave["lambda_max"] == [pytest.approx(-2.0)]
    assert concave["runs"][0]["stability"] is None


def test_same_request_same_bytes(client):
    body = {**ROSENBROCK, "gradient": {"noise_std": 0.5, "seed": 3}}
    first = client.post(f"{API}/races", json=body)
    second = client.post(f"{API}/races", json=body)
    assert first.content == second.content
    assert first.headers["etag"] == second.headers["etag"]


def test_diverging_race_is_finite_and_marked(client):
    response = client.post(f"{API}/races", json={
        "surface": {"id": "bowl"}, "start": [1, 1], "steps": 100, "record": {"state": True},
        "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 5}},
                       {"id": "adam", "hyperparameters": {"lr": 10}}]})
    document = strict(response.text)  # raises on NaN or Infinity
    sgd = document["runs"][0]
    assert sgd["status"] == "diverged" and sgd["diverged_at"] is not None
    assert all(v is not None for v in sgd["loss"])


def test_non_finite_values_are_null(client):
    document = race(client, {"surface": {"expression": "1/x"}, "start": [0, 1], "steps": 3,
                             "optimizers": [{"id": "sgd"}]})
    run = document["runs"][0]
    assert run["diverged_at"] == 0 and run["loss"][0] is None
    assert run["final"]["loss"] is None


@pytest.mark.parametrize("surface", [{"id": "saddle"}, {"expression": "x^2 + x*y + y^4"}])
def test_polyak_needs_a_known_minimum_value(client, surface):
    """Polyak's step reads f(x) − f*: where f* is unknown, a 422 at that optimizer."""
    response = client.post(f"{API}/races", json={
        **ROSENBROCK, "surface": surface,
        "optimizers": [{"id": "sgd"}, {"id": "polyak"}]})
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == ["body", "optimizers", 1] and "f*" in error["msg"], error


def test_polyak_reaches_the_minimum_of_a_bowl(client):
    """On a quadratic with a known f* = 0 Polyak's step converges without a tuned rate."""
    document = race(client, {**ROSENBROCK, "surface": {"id": "bowl"}, "steps": 200,
                             "optimizers": [{"id": "polyak"}]})
    assert document["runs"][0]["status"] == "converged"


def test_the_baselines_report_their_state_and_stay_finite(client):
    """Line search's a_t per frame (a number, not a pair) and random search's best trial u;
    a line search leaving the bound on a plane is a finite, diverged run."""
    document = race(client, {**ROSENBROCK, "steps": 40, "record": {"state": True},
                             "optimizers": [{"id": "line_search"},
                                            {"id": "random_search",
                                             "hyperparameters": {"lr": 0.05, "trials": 4}}]})
    search, trials = document["runs"]
    a = search["derived"]["step_length"]
    assert len(a) == 41 and a[0] == 0.0 and all(isinstance(v, float) for v in a)
    assert a[1:] == [pair[0] for pair in search["state"]["a"][1:]]
    assert len(trials["state"]["u"]) == 41
    assert trials["loss"] == sorted(trials["loss"], reverse=True)
    plane = race(client, {"surface": {"expression": "x + 2*y"}, "start": [0.5, 0.5],
                          "steps": 5, "optimizers": [{"id": "line_search"}]})
    assert plane["runs"][0]["status"] == "diverged"
    assert plane["runs"][0]["diverged_at"] == 1


@pytest.mark.parametrize("change,loc,setting", [
    ({"steps": 50_000}, ["body", "steps"], "DESCENTLAB_MAX_STEPS"),
    ({"optimizers": [{"id": "sgd"}] * 25}, ["body", "optimizers"], "DESCENTLAB_MAX_OPTIMIZERS"),
    ({"start": None, "starts": [[0, 0]] * 65}, ["body", "starts"], "DESCENTLAB_MAX_STARTS"),
    ({"steps": 20_000, "optimizers": [{"id": "sgd"}] * 12, "start": None,
      "starts": [[0, 0]] * 2}, ["body"], "DESCENTLAB_COMPUTE_BUDGET"),
    ({"surface": {"expression": "x" + "+x" * 300}}, ["body", "surface", "expression"],
     "DESCENTLAB_MAX_EXPRESSION_LENGTH"),
])
def test_limits_answer_422_naming_the_limit(client, change, loc, setting):
    response = client.post(f"{API}/races", json={**ROSENBROCK, **change})
    assert response.status_code == 422
    (error,) = detail(response)
    assert error["loc"] == loc and error["type"] == "limit_exceeded"
    assert setting in error["msg"] and "the limit is" in error["msg"]
    assert error["setting"] == setting


def test_limit_message_reads_well(client):
    error = detail(client.post(f"{API}/races", json={**ROSENBROCK, "steps": 50_000}))[0]
    assert error["msg"] == "steps is 50000; the limit is 20000 (DESCENTLAB_MAX_STEPS)"


@pytest.mark.parametrize("change,loc", [
    ({"optimizers": [{"id": "sgd"}, {"id": "adam", "hyperparameters": {"lr": 50}}]},
     ["body", "optimizers", 1, "hyperparameters", "lr"]),
    ({"optimizers": [{"id": "lbfgs"}]}, ["body", "optimizers", 0, "id"]),
    ({"optimizers": [{"id": "sgd", "hyperparameters": {"momentum": 0.9}}]},
     ["body", "optimizers", 0, "hyperparameters", "momentum"]),
    ({"optimizers": [{"id": "sgd", "schedule": {"kind": "weekly"}}]},
     ["body", "optimizers", 0, "schedule", "kind"]),
    ({"optimizers": [{"id": "sgd", "schedule": {"kind": "step", "gamma": 3}}]},
     ["body", "optimizers", 0, "schedule", "gamma"]),
    ({"surface": {"id": "himalaya"}}, ["body", "surface", "id"]),
    ({"surface": {"id": "rosenbrock", "params": {"b": -5}}}, ["body", "surface", "params", "b"]),
    ({"surface": {"id": "bowl", "view": [1, -1, 0, 1]}}, ["body", "surface", "view"]),
    ({"gradient": {"clip_norm": 1.0},
      "optimizers": [{"id": "sgd", "clip_value": 0.5}]}, ["body", "optimizers", 0, "clip_value"]),
    ({"surface": {"expression": "x**2"}, "start": None}, ["body", "start"]),
])
def test_engine_errors_point_at_the_field(client, change, loc):
    response = client.post(f"{API}/races", json={**ROSENBROCK, **change})
    assert response.status_code == 422, response.text
    (error,) = detail(response)
    assert error["loc"] == loc and error["msg"]


def test_per_optimizer_null_clip_overrides_the_race(client):
    document = race(client, {**ROSENBROCK, "gradient": {"clip_norm": 1.0},
                             "optimizers": [{"id": "sgd", "clip_norm": None, "clip_value": 0.5},
                                            {"id": "adam"}]})
    assert document["runs"][0]["gradient"]["clip_value"] == 0.5
    assert document["runs"][0]["gradient"]["clip_norm"] is None
    assert document["runs"][1]["gradient"]["clip_norm"] == 1.0


def test_bad_expression_names_the_column(client):
    response = client.post(f"{API}/races", json={
        **ROSENBROCK, "surface": {"expression": "x**2 + 10*y**2 + foo(x)"}})
    (error,) = detail(response)
    assert error["loc"] == ["body", "surface", "expression"] and error["column"] == 18


@pytest.mark.parametrize("body,kind", [
    (b'{"surface": ', "json_invalid"),
    (b'{"surface": {"id": "bowl"}, "start": [NaN, 1], "optimizers": [{"id": "sgd"}]}',
     "finite_number"),
    (b'{"surface": {"id": "bowl"}, "steps": "10", "optimizers": [{"id": "sgd"}]}', "int_type"),
    (b'{"surface": {"id": "bowl"}, "optimisers": [{"id": "sgd"}]}', "missing"),
    (b'[1, 2, 3]', "model_attributes_type"),
])
def test_malformed_requests_answer_422(client, body, kind):
    response = client.post(f"{API}/races", content=body,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert kind in {error["type"] for error in detail(response)}


@pytest.mark.parametrize("body,headers,words", [
    (b'{"surface": {"id": "bowl\xff"}}', {}, "not UTF-8 text (byte 25 "),
    (b"[" * 32_000 + b"]" * 32_000, {}, "nested too deeply"),
    (gzip.compress(json.dumps(ROSENBROCK).encode()), {"Content-Encoding": "gzip"},
     "compressed (Content-Encoding: gzip)"),
])
def test_unreadable_bodies_are_malformed_json_too(client, body, headers, words):
    """FastAPI answers 400 when it cannot even decode a body; the API promises 422."""
    for path in ("/races", "/races/stream", "/networks/races"):
        response = client.post(f"{API}{path}", content=body,
                               headers={"Content-Type": "application/json", **headers})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/json"
        (error,) = detail(response)
        assert error["type"] == "json_invalid" and error["loc"] == ["body"]
        assert words in error["msg"]


@pytest.mark.parametrize("path", ["/", "/healthz", "/readyz", "/static/style.css",
                                  "/static/js/main.js", "/static/vendor/plotly.min.js",
                                  "/docs", f"{API}/surfaces"])
def test_head_answers_like_get_without_a_body(client, path):
    got, head = client.get(path), client.head(path)
    assert got.status_code == head.status_code == 200
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.content == b""


@pytest.mark.parametrize("accept", ["gzip", "zstd", "br", "identity", "gzip, zstd", ""])
def test_vary_is_sent_once(client, accept):
    for path in (f"{API}/surfaces", f"{API}/optimizers", "/static/vendor/plotly.min.js",
                 f"{API}/surfaces/himmelblau/grid?resolution=51"):
        response = client.get(path, headers={"Accept-Encoding": accept})
        # (the catalogues are also in the reader's language)
        catalogue = path in (f"{API}/surfaces", f"{API}/optimizers")
        expected = "Accept-Encoding, Accept-Language" if catalogue else "Accept-Encoding"
        assert response.headers.get_list("vary") == [expected], (path, accept)


def test_stream_errors_are_documented_as_the_json_they_are(client):
    paths = strict(client.get("/openapi.json").text)["paths"]
    for path, method in ((f"{API}/races/stream", "post"), (f"{API}/races/stream/sse", "get"),
                         (f"{API}/networks/races/stream", "post")):
        responses = paths[path][method]["responses"]
        for status in ("413", "422", "503"):
            assert list(responses[status]["content"]) == ["application/json"], (path, status)
    response = client.post(f"{API}/races/stream", json={**ROSENBROCK, "steps": 0})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"


def test_json_without_content_type_is_refused(client):
    response = client.post(f"{API}/races", content=json.dumps(ROSENBROCK).encode())
    assert response.status_code == 422


def test_body_too_large_answers_413(client):
    big = b'{"pad": "' + b"x" * 70_000 + b'"}'
    response = client.post(f"{API}/races", content=big,
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    (error,) = detail(response)
    assert "DESCENTLAB_MAX_BODY_BYTES" in error["msg"]
    chunked = client.post(f"{API}/races", content=iter([big[:40_000], big[40_000:]]),
                          headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413 and "DESCENTLAB_MAX_BODY_BYTES" in detail(chunked)[0]["msg"]


def test_unknown_route_and_method(client):
    assert client.get(f"{API}/nothing").status_code == 404
    assert detail(client.get(f"{API}/nothing"))[0]["type"] == "not_found"
    assert client.delete(f"{API}/races").status_code == 405


NUMBERS = st.one_of(st.floats(allow_nan=False, allow_infinity=False),
                    st.integers(-(10**6), 10**6), st.sampled_from([0, 1e-300, 1e300, -1e308]))
HYPERPARAMETERS = sorted({h.name for o in engine.optimizers() for h in o.hyperparameters})
SURFACE_PARAMS = sorted({p.name for s in engine.surfaces() for p in s.params})
SURFACES = st.one_of(
    st.fixed_dictionaries({"id": st.sampled_from([s.id for s in engine.surfaces()])},
                          optional={"params": st.dictionaries(st.sampled_from(SURFACE_PARAMS),
                                                              NUMBERS, max_size=2)}),
    st.fixed_dictionaries({"expression": st.sampled_from(
        ["x**2 + y**2", "1/x", "log(x) + y", "sqrt(x*y)", "exp(x*y)", "x**y", "tan(x) + y**2",
         "abs(x) + max(x, y)", "x**200", "1e308*x*y"])}),
)
OPTIMIZERS = st.fixed_dictionaries(
    {"id": st.sampled_from(EVERY_OPTIMIZER)},
    optional={"hyperparameters": st.dictionaries(st.sampled_from(HYPERPARAMETERS), NUMBERS,
                                                 max_size=3),
              "schedule": st.fixed_dictionaries(
                  {"kind": st.sampled_from([s.id for s in engine.schedules()])}),
              "clip_norm": st.one_of(st.none(), st.floats(1e-6, 1e6)),
              "noise_std": st.floats(0, 1e6)})
RACES = st.fixed_dictionaries({
    "surface": SURFACES, "start": st.lists(NUMBERS, min_size=2, max_size=2),
    "steps": st.integers(1, 200), "optimizers": st.lists(OPTIMIZERS, min_size=1, max_size=4),
    "record": st.fixed_dictionaries({"state": st.booleans()})})


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=RACES)
def test_strange_races_never_fail_the_server(client, body):
    """Extreme numbers, overflowing formulas, every optimizer: 200 or 422, always finite."""
    response = client.post(f"{API}/races", json=body)
    assert response.status_code in (200, 422), response.text
    document = strict(response.text)
    if response.status_code == 200:
        assert len(document["runs"]) == len(body["optimizers"])


# --------------------------------------------------------------------------- streams


def ndjson(client: TestClient, body: dict) -> list[dict]:
    with client.stream("POST", f"{API}/races/stream", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/x-ndjson")
        assert "content-encoding" not in response.headers
        return [strict(line) for line in response.iter_lines() if line]


def test_ndjson_stream_order_and_content(client):
    events = ndjson(client, {**ROSENBROCK, "frame_steps": 40})
    types = [e["type"] for e in events]
    assert types == ["meta"] + ["frame"] * 8 + ["summary"]
    meta = events[0]
    assert meta["frames"] == 8 and meta["frame_steps"] == 40 and meta["steps"] == 300
    assert [r["label"] for r in meta["runs"]] == ["SGD", "Adam fast"]
    frames = events[1:-1]
    assert frames[0]["first"] == 0 and frames[-1]["last"] == 300
    for before, after in itertools.pairwise(frames):
        assert after["first"] == before["last"] + 1
    full = race(client, ROSENBROCK)
    for i, run in enumerate(full["runs"]):
        for key in ("path", "loss", "grad_norm", "lr", "grad"):
            joined = [v for frame in frames for v in frame["runs"][i][key]]
            assert joined == run[key], key
        for name, values in run["state"].items():
            assert [v for f in frames for v in f["runs"][i]["state"][name]] == values
        for name, values in run["derived"].items():
            assert [v for f in frames for v in f["runs"][i]["derived"][name]] == values
    summary = events[-1]
    assert summary["steps"] == 300
    assert [r["status"] for r in summary["runs"]] == [r["status"] for r in full["runs"]]


def test_streamed_state_of_every_optimizer_joins_into_the_full_race(client):
    """Each frame line derives the inspector's values from its own segment (and the frame
    before it, which AdaDelta's step needs): joined up they must equal the full race's."""
    ids = [o["id"] for o in client.get(f"{API}/optimizers").json()]
    for first in range(0, len(ids), 12):  # (a race takes at most 24 optimizers)
        body = {"surface": {"id": "ravine"}, "start": [-2.5, 1.2], "steps": 45,
                "optimizers": [{"id": i} for i in ids[first:first + 12]],
                "record": {"state": True}, "frame_steps": 10}
        frames = ndjson(client, body)[1:-1]
        full = race(client, {k: v for k, v in body.items() if k != "frame_steps"})
        for i, run in enumerate(full["runs"]):
            for part in ("state", "derived"):
                for name, values in run[part].items():
                    joined = [v for f in frames for v in f["runs"][i][part][name]]
                    assert joined == values, (run["optimizer"], part, name)


def test_stream_frame_count_is_capped(client):
    events = ndjson(client, {**ROSENBROCK, "steps": 2000, "frame_steps": 1,
                             "record": {"state": False}})
    assert events[0]["frame_steps"] == 4 and events[0]["frames"] == 500
    assert len(events) == 502


def test_a_stream_that_fails_midway_ends_with_an_error_line(client, monkeypatch):
    real = translate.RaceStream.next_frame
    frames = []

    def fails_second_time(stream: translate.RaceStream) -> dict:
        frames.append(stream.session.t)
        if len(frames) == 2:
            raise RuntimeError("a bug")
        return real(stream)

    monkeypatch.setattr(translate.RaceStream, "next_frame", fails_second_time)
    events = ndjson(client, {**ROSENBROCK, "frame_steps": 100})
    assert [e["type"] for e in events] == ["meta", "frame", "error"]
    (error,) = events[-1]["detail"]
    assert error["type"] == "internal_error" and "step 100" in error["msg"]


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], strict(fields["data"])))
    return events


def test_sse_stream(client):
    body = {**ROSENBROCK, "frame_steps": 100}
    response = client.get(f"{API}/races/stream/sse", params={"request": json.dumps(body)})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(response.text)
    assert [name for name, _ in events] == ["meta", "frame", "frame", "frame", "summary"]
    assert all(data["type"] == name for name, data in events)
    assert events[1:] == [("frame", e) if e["type"] == "frame" else ("summary", e)
                          for e in ndjson(client, body)[1:]]


def test_stream_input_errors_come_before_the_stream(client):
    bad = client.post(f"{API}/races/stream", json={**ROSENBROCK, "steps": 10**6})
    assert bad.status_code == 422 and detail(bad)[0]["loc"] == ["body", "steps"]
    sse = client.get(f"{API}/races/stream/sse", params={"request": '{"surface": 3}'})
    assert sse.status_code == 422 and detail(sse)[0]["loc"][:3] == ["query", "request", "surface"]
    lr = client.get(f"{API}/races/stream/sse", params={"request": json.dumps(
        {**ROSENBROCK, "optimizers": [{"id": "adam", "hyperparameters": {"lr": -1}}]})})
    assert detail(lr)[0]["loc"] == ["query", "request", "optimizers", 0, "hyperparameters", "lr"]


# --------------------------------------------------------------------------- the site


SECURITY = {"x-content-type-options": "nosniff", "x-frame-options": "DENY",
            "referrer-policy": "no-referrer"}


@pytest.mark.parametrize("method,path", [
    ("GET", "/healthz"), ("GET", f"{API}/surfaces"), ("GET", "/"), ("GET", "/docs"),
    ("GET", f"{API}/nothing"), ("POST", f"{API}/races"), ("GET", "/static/vendor/plotly.min.js"),
])
def test_security_headers_everywhere(client, method, path):
    response = client.request(method, path)
    for name, value in SECURITY.items():
        assert response.headers[name] == value
    csp = response.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-eval" not in csp
    assert "http" not in csp


def test_plotly_is_served_locally(client):
    response = client.get("/static/vendor/plotly.min.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.content.startswith(b"/**\n* plotly.js v")
    again = client.get("/static/vendor/plotly.min.js",
                       headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_docs_load_nothing_from_elsewhere(client):
    docs_page = client.get("/docs")
    assert docs_page.status_code == 200
    assert "http://" not in docs_page.text and "https://" not in docs_page.text
    assert "<script>" not in docs_page.text  # the CSP refuses inline scripts
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "init.js", "favicon-32x32.png"):
        assert client.get(f"/docs/{asset}").status_code == 200, asset
    assert client.get("/docs/secrets.txt").status_code == 404
    assert "openapi.json" in client.get("/docs/init.js").text


def test_the_frontend_folder_is_the_site(tmp_path):
    (tmp_path / "index.html").write_text("<!doctype html><title>lab</title>")
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "main.js").write_text("export const lab = 1;\n")
    with TestClient(create_app(Settings(frontend_dir=tmp_path))) as site:
        assert site.get("/").text == "<!doctype html><title>lab</title>"
        script = site.get("/static/js/main.js")
        assert script.status_code == 200 and "javascript" in script.headers["content-type"]
        again = site.get("/static/js/main.js", headers={"If-None-Match": script.headers["etag"]})
        assert again.status_code == 304
        assert site.get("/static/../settings.py").status_code == 404
        assert site.get("/static/nothing.js").status_code == 404


def test_docs_swagger_ui_reads_openapi_3_1():
    """Swagger UI before 5 refuses FastAPI's OpenAPI 3.1 ("no valid version field")."""
    folder = docs.asset_path("swagger-ui.css").parent.name  # e.g. swagger-ui-5.31.0
    assert int(folder.removeprefix("swagger-ui-").split(".")[0]) >= 5, folder


def test_openapi_offers_runnable_examples(client):
    spec = strict(client.get("/openapi.json").text)
    examples = spec["paths"][f"{API}/races"]["post"]["requestBody"]["content"][
        "application/json"]["examples"]
    for example in examples.values():
        race(client, example["value"])


def test_cors_is_off_by_default_and_configurable(client):
    origin = {"Origin": "https://elsewhere.example"}
    assert "access-control-allow-origin" not in client.get(f"{API}/surfaces",
                                                          headers=origin).headers
    settings = Settings(cors_origins="https://elsewhere.example")
    with TestClient(create_app(settings)) as other:
        allowed = other.get(f"{API}/surfaces", headers=origin)
        assert allowed.headers["access-control-allow-origin"] == "https://elsewhere.example"


# --------------------------------------------------------------------------- the gate


def test_gate_refuses_with_503_when_full():
    async def scenario() -> None:
        gate = Gate(1, queue_timeout=0.05, retry_after=3)
        release = threading.Event()
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(gate.run, release.wait)
            await anyio.sleep(0.05)
            with pytest.raises(ApiError) as refused:
                await gate.run(lambda: None)
            assert refused.value.status == 503 and refused.value.headers["Retry-After"] == "3"
            release.set()
        assert await gate.run(lambda: 7) == 7 and gate.counters.rejected == 1

    anyio.run(scenario)


# --------------------------------------------------------------------------- a live server


class LiveServer:
    """uvicorn serving an app on a free loopback port, in a thread."""

    def __init__(self, **settings: object):
        self.app = create_app(Settings(**settings))
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=0,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def counters(self):
        return self.app.state.lab.gate.counters


def test_live_server_healthz_answers_while_heavy_work_runs():
    """The event loop stays free while a worker computes and writes a 55 MB race: /healthz
    is answered again and again while the server reports the heavy work in progress (its
    latency is measured by benchmarks/bench_api.py, not asserted here)."""
    with LiveServer() as live:
        results: dict = {}

        def heavy() -> None:
            with httpx2.Client(timeout=60) as c:
                results["status"] = c.post(f"{live.url}{API}/races", json=HEAVY).status_code

        worker = threading.Thread(target=heavy)
        worker.start()
        deadline = time.monotonic() + 10
        while live.counters.busy == 0 and worker.is_alive():
            assert time.monotonic() < deadline
            time.sleep(0.002)
        answered_while_busy = 0
        with httpx2.Client(timeout=5) as c:
            while worker.is_alive() and answered_while_busy < 20:
                assert c.get(f"{live.url}/healthz").status_code == 200
                answered_while_busy += live.counters.busy > 0
        worker.join()
        assert results["status"] == 200
        assert answered_while_busy == 20


def test_live_server_stops_a_stream_whose_client_left():
    with LiveServer() as live:
        body = {**HEAVY, "frame_steps": 40}  # 500 frames of about 150 kB each
        with httpx2.Client(timeout=30) as c, c.stream("POST", f"{live.url}{API}/races/stream",
                                                      json=body) as response:
            lines = response.iter_lines()
            assert strict(next(lines))["type"] == "meta"
            assert strict(next(lines))["type"] == "frame"
        deadline = time.monotonic() + 10
        while live.counters.streams_cancelled == 0:
            assert time.monotonic() < deadline, "the stream was not stopped"
            time.sleep(0.02)
        computed = live.counters.computations
        time.sleep(0.3)
        assert live.counters.computations == computed, "it kept computing"
        assert computed < 100 and live.counters.streams_finished == 0


def test_live_server_gzip_and_503_when_busy():
    with LiveServer(max_concurrent_heavy=1, queue_timeout=0) as live:
        statuses: list[int] = []

        def heavy() -> None:
            with httpx2.Client(timeout=60) as c:
                statuses.append(c.post(f"{live.url}{API}/races", json=HEAVY).status_code)

        worker = threading.Thread(target=heavy)
        worker.start()
        deadline = time.monotonic() + 10
        while live.counters.busy == 0:
            assert time.monotonic() < deadline
            time.sleep(0.002)
        with httpx2.Client(timeout=10) as c:
            busy = c.post(f"{live.url}{API}/races", json=ROSENBROCK)
        worker.join()
        assert statuses == [200]
        assert busy.status_code == 503 and busy.headers["retry-after"] == "1"
        assert detail(busy)[0]["type"] == "busy"
        with socket.create_connection(live.url.removeprefix("http://").split(":")) as raw:
            raw.sendall(b"GET /api/v1/surfaces HTTP/1.1\r\nHost: x\r\n"
                        b"Accept-Encoding: gzip\r\nConnection: close\r\n\r\n")
            reply = b""
            while chunk := raw.recv(65536):
                reply += chunk
        head, _, payload = reply.partition(b"\r\n\r\n")
        assert b"content-encoding: gzip" in head.lower()
        assert strict(gzip.decompress(payload))[0]["id"] == "bowl"


# Languages: 422 bodies and catalogues follow ?lang= or Accept-Language (English default).

BAD_RATE = {"surface": {"id": "bowl"}, "start": [1, 1], "steps": 10,
            "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 100}}]}


def test_a_bad_learning_rate_answers_in_ukrainian(client):
    r = client.post("/api/v1/races", json=BAD_RATE, headers={"Accept-Language": "uk-UA,uk;q=0.9"})
    assert r.status_code == 422
    (item,) = detail(r)
    assert item["loc"] == ["body", "optimizers", 0, "hyperparameters", "lr"]
    assert item["msg"] == "«lr» для SGD має лежати в [1e-06, 10], отримано 100"
    assert set(item) == {"loc", "msg", "type"}  # the message key stays inside the server


def test_errors_stay_english_by_default_and_follow_lang_in_the_query(client):
    english = detail(client.post("/api/v1/races", json=BAD_RATE))[0]["msg"]
    assert english == "hyperparameter 'lr' of SGD must lie in [1e-06, 10], got 100"
    unknown = {**BAD_RATE, "surface": {"id": "nope"}}
    croatian = detail(client.post("/api/v1/races?lang=hr", json=unknown,
                                  headers={"Accept-Language": "uk"}))[0]["msg"]
    assert croatian.startswith("nepoznata oznaka „nope” (ploha); odaberite jednu od: bowl")
    serbian = detail(client.post("/api/v1/races", json=unknown,
                                 headers={"Accept-Language": "sr-Latn-RS"}))[0]["msg"]
    assert serbian.startswith("nepoznata oznaka „nope” (površ); izaberite")


def test_the_schemas_own_refusals_are_said_in_the_readers_language(client):
    """Pydantic's messages (a bound, a whole number, an empty list, an unknown field) are
    English only: they go out in the request's language, with the numbers they quote."""
    body = {**BAD_RATE, "steps": 0, "optimizers": [], "colour": "red"}
    english = {tuple(i["loc"]): i["msg"] for i in detail(client.post("/api/v1/races", json=body))}
    assert english[("body", "steps")] == "Input should be greater than or equal to 1"
    ukrainian = {tuple(i["loc"]): i["msg"] for i in detail(client.post(
        "/api/v1/races", json=body, headers={"Accept-Language": "uk"}))}
    assert ukrainian == {("body", "steps"): "Значення має бути не меншим за 1",
                         ("body", "optimizers"): "Потрібен щонайменше 1 елемент, а не 0",
                         ("body", "colour"): "Такого поля в запиті немає"}
    croatian = detail(client.post("/api/v1/races?lang=hr", json={**BAD_RATE, "steps": 2.5}))
    assert [i["msg"] for i in croatian] == ["Vrijednost mora biti cijeli broj"]
    assert all(set(i) == {"loc", "msg", "type"} for i in croatian)


def test_polyaks_missing_minimum_is_said_in_the_readers_language(client):
    body = {"surface": {"expression": "x**2 + y**2"}, "start": [1, 1], "steps": 10,
            "optimizers": [{"id": "polyak"}]}
    english, = detail(client.post("/api/v1/races", json=body))
    assert english["loc"] == ["body", "optimizers", 0]
    assert "aims each step at the surface's smallest value f*" in english["msg"]
    ukrainian, = detail(client.post("/api/v1/races", json=body, headers={"Accept-Language": "uk"}))
    assert "спрямовує кожен крок на найменше значення поверхні f*" in ukrainian["msg"]


def test_catalogues_vary_with_the_language(client):
    english = client.get("/api/v1/scenarios")
    persian = client.get("/api/v1/scenarios", headers={"Accept-Language": "fa"})
    assert "Accept-Language" in persian.headers["vary"]
    assert english.headers["etag"] != persian.headers["etag"] or english.json() == persian.json()
    assert [s["id"] for s in english.json()] == [s["id"] for s in persian.json()]
