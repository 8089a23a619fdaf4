"""The network endpoints: catalogue, races, streams, decision boundaries, the race memo,
limits and errors — and the two-weight networks through the 2-D race and grid endpoints.

Every response is parsed with a parser that refuses NaN and Infinity, and every number is
compared with the engine called directly, so the API adds nothing and loses nothing.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from descentlab import engine
from descentlab.engine import networks as nn
from descentlab.server import network_translate
from descentlab.server.app import create_app
from descentlab.server.memo import Memo
from descentlab.server.network_schemas import NetworkRaceRequest
from descentlab.server.settings import Settings

API = "/api/v1"
MOONS = {
    "dataset": {"id": "moons", "params": {"n": 128, "noise": 0.1, "seed": 0}},
    "architecture": {"hidden": [8, 8], "activation": "tanh", "init": None},
    "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 0.5}},
                   {"id": "adam", "label": "Adam", "hyperparameters": {"lr": 0.01},
                    "schedule": {"kind": "cosine_restarts", "period": 60}},
                   {"id": "nesterov", "hyperparameters": {"lr": 0.05}}],
    "steps": 120, "batch_size": 32, "seed": 3, "init_seed": 1,
    "gradient": {"clip_norm": 5.0, "clip_value": None, "noise_std": 0.01},
    "landscape": {"plane": "pca", "resolution": 9, "span": None, "centre": None, "seed": 0}}
# Nesterov with a huge step on a deep ReLU net: it overflows at step 9 and freezes there.
DIVERGING = {
    "dataset": {"id": "moons"}, "architecture": {"hidden": [32, 32, 32], "activation": "relu"},
    "optimizers": [{"id": "nesterov", "hyperparameters": {"lr": 10, "momentum": 0.99}},
                   {"id": "momentum", "hyperparameters": {"lr": 10, "momentum": 0.99}},
                   {"id": "adam", "hyperparameters": {"lr": 0.01}}],
    "steps": 60, "landscape": {"resolution": 5}}


def _refuse(constant: str) -> None:
    raise ValueError(f"{constant} in a response")


def strict(text: str | bytes):
    """JSON as the API promises it: NaN, Infinity and -Infinity are errors."""
    return json.loads(text, parse_constant=_refuse)


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as c:
        yield c


def memo(client: TestClient) -> network_translate.RaceMemo:
    return client.app.state.lab.networks


def post(client: TestClient, path: str, body: dict) -> dict:
    response = client.post(f"{API}/networks/{path}", json=body)
    assert response.status_code == 200, response.text
    return strict(response.text)


def with_changes(body: dict, **changes) -> dict:
    changed = copy.deepcopy(body)
    changed.update(changes)
    return changed


def engine_race(body: dict) -> nn.NetworkRaceResult:
    """The same race from the engine's notebook API."""
    g = body.get("gradient", {})
    return nn.network_race(
        {"id": body["dataset"]["id"], **body["dataset"].get("params", {})},
        {"hidden": body["architecture"]["hidden"],
         "activation": body["architecture"]["activation"],
         "init": body["architecture"].get("init") or "auto"},
        body["optimizers"], body["steps"], batch_size=body.get("batch_size"),
        seed=body.get("seed", 0), init_seed=body.get("init_seed", 0),
        clip_norm=g.get("clip_norm"), clip_value=g.get("clip_value"),
        noise_std=g.get("noise_std", 0.0))


# --------------------------------------------------------------------------- catalogue


def test_catalogue_lists_every_choice_and_the_optimizers_a_network_takes(client):
    response = client.get(f"{API}/networks")
    cat = strict(response.text)
    assert cat == json.loads(json.dumps(network_translate.catalogue()))
    assert [d["id"] for d in cat["datasets"]] == [d.id for d in nn.datasets()]
    assert {a["id"] for a in cat["activations"]} == {"tanh", "relu", "sigmoid", "leaky_relu", "elu"}
    every = [o.id for o in engine.optimizers()]
    surface_only = {"newton", "polyak", "line_search", "random_search"}
    assert cat["optimizers"] == [o for o in every if o not in surface_only]
    assert set(cat["race"]["suggested_lr"]) == set(cat["optimizers"])
    assert cat["race"]["first_roster"] and set(cat["race"]["first_roster"]) <= set(
        cat["optimizers"])
    assert [n["id"] for n in cat["two_param_nets"]] == ["linear_net", "neuron", "logistic"]
    assert response.headers["etag"]
    again = client.get(f"{API}/networks", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_limits_include_the_network_budget(client):
    limits = strict(client.get(f"{API}/limits").text)
    assert limits["network_compute_budget"] == Settings().network_compute_budget


# --------------------------------------------------------------------------- races


def test_race_document_is_the_engine_race_and_landscape(client):
    document = post(client, "races", MOONS)
    r = engine_race(MOONS)
    land = nn.landscape(r, "pca", 9)
    assert document["dataset"] == json.loads(json.dumps(r.dataset.to_dict()))
    assert document["architecture"]["n_params"] == 2 * 8 + 8 + 8 * 8 + 8 + 8 + 1
    assert (document["steps"], document["batch_size"], document["seed"],
            document["init_seed"]) == (120, 32, 3, 1)
    assert [run["label"] for run in document["runs"]] == ["SGD", "Adam", "Nesterov"]
    for o, run in enumerate(document["runs"]):
        assert run["loss"] == r.loss[o].tolist()
        assert run["accuracy"] == r.accuracy[o].tolist()
        assert run["grad_norm"] == r.grad_norm[o].tolist()
        assert run["lr"] == r.lr[o].tolist() and len(run["lr"]) == 120
        assert run["path"] == land.paths[o].tolist() and len(run["path"]) == 121
        assert run["path"][0] == [0.0, 0.0]  # the PCA plane is centred at the shared init
        assert run["final"] == {"loss": r.loss[o, -1], "accuracy": r.accuracy[o, -1],
                                "grad_norm": r.grad_norm[o, -1], "val_loss": None,
                                "val_accuracy": None, "gap": None}  # nothing held out
        assert run["status"] == "unfinished" and run["diverged_at"] is None
        assert run["gradient"]["clip_norm"] == 5.0 and run["gradient"]["seed"] == 3
    adam = document["runs"][1]
    assert adam["schedule"]["kind"] == "cosine_restarts" and adam["schedule"]["period"] == 60
    assert adam["hyperparameters"]["beta1"] == 0.9
    grid = document["landscape"]
    assert grid["plane"]["kind"] == "pca" and grid["plane"]["centre"] == "init"
    assert grid["alphas"] == land.alpha.tolist() and grid["betas"] == land.beta.tolist()
    assert grid["loss"] == land.loss.tolist()
    assert len(grid["loss"]) == 9 and len(grid["loss"][0]) == 9


def test_random_plane_and_explicit_span(client):
    body = with_changes(MOONS, landscape={"plane": "random", "resolution": 5, "span": 0.5,
                                          "centre": "Adam", "seed": 4})
    document = post(client, "races", body)
    land = nn.landscape(engine_race(MOONS), "random", 5, 0.5, centre="Adam", seed=4)
    assert document["landscape"]["plane"] == {"kind": "random",
                                              "centre": "final weights of Adam",
                                              "explained": None}
    assert document["landscape"]["alphas"] == [-0.5, -0.25, 0.0, 0.25, 0.5]
    assert document["landscape"]["loss"] == land.loss.tolist()
    assert document["runs"][1]["path"][-1] == pytest.approx([0.0, 0.0], abs=1e-9)


def test_defaults_fill_a_minimal_request(client):
    document = post(client, "races", {"optimizers": [{"id": "adam"}], "steps": 5})
    assert document["dataset"]["id"] == "moons" and len(document["dataset"]["points"]) == 256
    assert document["architecture"]["hidden"] == [16, 16]
    assert document["batch_size"] is None and len(document["landscape"]["alphas"]) == 41


def test_a_batch_as_large_as_the_data_is_full_batch(client):
    full = post(client, "races", with_changes(MOONS, batch_size=None))
    same = post(client, "races", with_changes(MOONS, batch_size=128))
    assert same["batch_size"] is None and same["runs"] == full["runs"]


def test_same_body_same_bytes_even_from_a_fresh_server(client):
    first = client.post(f"{API}/networks/races", json=MOONS)
    second = client.post(f"{API}/networks/races", json=MOONS)
    with TestClient(create_app(Settings())) as fresh:
        third = fresh.post(f"{API}/networks/races", json=MOONS)
    assert first.content == second.content == third.content
    assert first.headers["etag"] == third.headers["etag"]


def test_diverging_runs_are_marked_frozen_and_finite_in_json(client):
    response = client.post(f"{API}/networks/races", json=DIVERGING)
    document = strict(response.text)  # raises on NaN or Infinity
    nesterov, momentum, adam = document["runs"]
    assert nesterov["status"] == "diverged" and nesterov["diverged_at"] == 9
    assert all(v is not None for v in nesterov["loss"])
    assert nesterov["loss"][9:] == [nesterov["loss"][9]] * (61 - 9)
    assert momentum["status"] == "unfinished" and adam["status"] == "unfinished"
    # The momentum run's weights grow past 1e200 without overflowing: the plane still
    # comes out, and whatever is not finite on it is null.
    assert max(abs(w) for w in np.ravel(engine_race(DIVERGING).weights[1, -1])) > 1e200
    assert document["landscape"]["plane"]["kind"] == "pca"
    assert len(document["landscape"]["loss"]) == 5


# --------------------------------------------------------------------------- streams


def ndjson(client: TestClient, body: dict) -> list[dict]:
    response = client.post(f"{API}/networks/races/stream", json=body)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [strict(line) for line in response.text.splitlines()]


def test_stream_frames_join_into_the_race_and_its_summary_is_the_race(client):
    events = ndjson(client, with_changes(MOONS, frame_steps=25))
    assert [e["type"] for e in events] == ["meta"] + ["frame"] * 5 + ["summary"]
    meta, frames, summary = events[0], events[1:-1], events[-1]
    full = post(client, "races", MOONS)
    assert meta["frames"] == 5 and meta["frame_steps"] == 25 and meta["steps"] == 120
    assert meta["dataset"] == full["dataset"]
    assert meta["architecture"] == full["architecture"]
    assert [r["label"] for r in meta["runs"]] == ["SGD", "Adam", "Nesterov"]
    assert frames[0]["first"] == 0 and frames[-1]["last"] == 120
    for before, after in itertools.pairwise(frames):
        assert after["first"] == before["last"] + 1
    for o, run in enumerate(full["runs"]):
        for key in ("loss", "accuracy", "grad_norm", "lr"):
            assert [v for f in frames for v in f["runs"][o][key]] == run[key], key
    assert {k: v for k, v in summary.items() if k != "type"} == full


def test_stream_input_errors_come_before_the_stream(client):
    for change, loc in (({"steps": 10**6}, ["body", "steps"]),
                        ({"landscape": {"plane": "random", "centre": "Adamm"}},
                         ["body", "landscape", "centre"]),
                        ({"landscape": {"plane": "tsne"}}, ["body", "landscape", "plane"])):
        bad = client.post(f"{API}/networks/races/stream", json=with_changes(MOONS, **change))
        assert bad.status_code == 422, change
        assert strict(bad.text)["detail"][0]["loc"] == loc


# --------------------------------------------------------------------------- boundaries


def test_boundary_is_the_engine_boundary_and_a_raced_race_is_not_run_again(client,
                                                                           monkeypatch):
    sessions = []
    real = network_translate.open_session

    def counted(request):
        sessions.append(request)
        return real(request)

    monkeypatch.setattr(network_translate, "open_session", counted)
    body = with_changes(MOONS, seed=11)
    post(client, "races", body)
    assert len(sessions) == 1
    hits = memo(client).counters.hits
    for run, frame in ((1, 60), ("Nesterov", 0), ("SGD", -1)):
        b = post(client, "boundary", {"race": body, "run": run, "frame": frame,
                                      "resolution": 21})
        expected = nn.decision_boundary(engine_race(body), run, frame, 21)
        assert b["x"] == expected.x.tolist() and b["y"] == expected.y.tolist()
        assert b["probability"] == expected.probability.tolist()
        assert len(b["probability"]) == 21 and len(b["probability"][0]) == 21
    assert b["run"] == "SGD" and b["frame"] == 120
    assert len(sessions) == 1, "the boundary requests recalled the race"
    assert memo(client).counters.hits == hits + 3
    # Another landscape is the same race; another seed is not.
    post(client, "races", with_changes(body, landscape={"plane": "random"}))
    assert len(sessions) == 1
    post(client, "boundary", {"race": with_changes(body, seed=12), "frame": 3})
    assert len(sessions) == 2


def test_a_streamed_race_is_remembered_for_its_boundaries(client):
    body = with_changes(MOONS, init_seed=7)
    ndjson(client, body)
    misses = memo(client).counters.misses
    post(client, "boundary", {"race": body, "run": "Adam", "frame": 50})
    assert memo(client).counters.misses == misses


def test_an_optimizers_explicit_null_clip_is_a_different_race(client):
    """Absent, an optimizer's clip is the race's; null, it has none: not the same race."""
    clipped = with_changes(MOONS, gradient={"clip_norm": 0.05})
    inherit = with_changes(clipped, optimizers=[{"id": "sgd", "hyperparameters": {"lr": 5}}])
    unclipped = with_changes(clipped, optimizers=[{"id": "sgd", "hyperparameters": {"lr": 5},
                                                   "clip_norm": None}])
    a, b = post(client, "races", inherit), post(client, "races", unclipped)
    assert a["runs"][0]["gradient"]["clip_norm"] == 0.05
    assert b["runs"][0]["gradient"]["clip_norm"] is None
    assert a["runs"][0]["loss"] != b["runs"][0]["loss"]


def test_the_memo_keeps_a_race_without_its_gradients(client):
    """Gradients are half of a race's memory and no response uses them: the memo drops
    them, and a race recalled from it is answered byte for byte as when it was run."""
    body = with_changes(MOONS, seed=13)
    fresh = client.post(f"{API}/networks/races", json=body).content
    kept = memo(client).get(network_translate.race_key(NetworkRaceRequest.model_validate(body)))
    assert kept is not None and kept.grad.size == 0
    assert np.array_equal(kept.weights, engine_race(body).weights)
    assert client.post(f"{API}/networks/races", json=body).content == fresh


def test_memo_is_bounded_by_count_and_by_bytes():
    m = Memo(entries=3, max_bytes=100, size=len)
    for key in "abc":
        m.put(key, "x" * 30)
    assert m.get("a") == "x" * 30  # now the most recent
    m.put("d", "x" * 30)
    assert m.get("b") is None and len(m) == 3  # the least recently used went
    m.put("e", "x" * 60)  # over 100 bytes: a and c go, d and e stay
    assert len(m) == 2 and m.nbytes == 90 and m.get("c") is None
    m.put("f", "x" * 101)  # larger than the whole allowance: not kept, nothing dropped
    assert m.get("f") is None and m.get("e") and len(m) == 2
    assert (m.counters.hits, m.counters.misses) == (2, 3)
    off = Memo(entries=0, max_bytes=100, size=len)
    off.put("a", "x")
    assert off.get("a") is None


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("change,loc", [
    ({"dataset": {"id": "moon"}}, ["body", "dataset", "id"]),
    ({"dataset": {"id": "circles", "params": {"n": 3}}}, ["body", "dataset", "params", "n"]),
    ({"dataset": {"id": "moons", "params": {"turns": 2}}},
     ["body", "dataset", "params", "turns"]),
    ({"architecture": {"hidden": [16], "activation": "gelu"}},
     ["body", "architecture", "activation"]),
    ({"architecture": {"hidden": [16, 200]}}, ["body", "architecture", "hidden"]),
    ({"architecture": {"hidden": [0]}}, ["body", "architecture", "hidden", 0]),
    ({"architecture": {"hidden": [8], "init": "orthogonal"}}, ["body", "architecture", "init"]),
    ({"batch_size": 0}, ["body", "batch_size"]),
    ({"optimizers": [{"id": "newton"}]}, ["body", "optimizers", 0]),
    ({"optimizers": [{"id": "polyak"}]}, ["body", "optimizers", 0]),
    ({"optimizers": [{"id": "sgd"}, {"id": "line_search"}]}, ["body", "optimizers", 1]),
    ({"optimizers": [{"id": "random_search"}]}, ["body", "optimizers", 0]),
    ({"optimizers": [{"id": "sgd"}, {"id": "adam", "hyperparameters": {"lr": 50}}]},
     ["body", "optimizers", 1, "hyperparameters", "lr"]),
    ({"gradient": {"clip_norm": 1.0, "clip_value": 1.0}}, ["body", "gradient", "clip_value"]),
    ({"landscape": {"plane": "tsne"}}, ["body", "landscape", "plane"]),
    ({"landscape": {"plane": "pca", "centre": "Adam"}}, ["body", "landscape", "centre"]),
    ({"landscape": {"resolution": 500}}, ["body", "landscape", "resolution"]),
    ({"landscape": {"span": -1.0}}, ["body", "landscape", "span"]),
    ({"seed": -1}, ["body", "seed"]),
])
def test_bad_input_is_a_422_naming_the_field(client, change, loc):
    response = client.post(f"{API}/networks/races", json=with_changes(MOONS, **change))
    assert response.status_code == 422, response.text
    (error,) = strict(response.text)["detail"]
    assert error["loc"] == loc and error["msg"], error


@pytest.mark.parametrize("change,loc,setting", [
    ({"steps": 50_000}, ["body", "steps"], "DESCENTLAB_MAX_STEPS"),
    ({"optimizers": [{"id": "sgd"}] * 25}, ["body", "optimizers"],
     "DESCENTLAB_MAX_OPTIMIZERS"),
    ({"steps": 20_000, "optimizers": [{"id": "sgd"}] * 12,
      "architecture": {"hidden": [64, 64, 64]}, "dataset": {"id": "moons"}},
     ["body"], "DESCENTLAB_NETWORK_COMPUTE_BUDGET"),
    ({"steps": 20_000, "optimizers": [{"id": "sgd"}] * 12,
      "architecture": {"hidden": [32, 32, 32]}}, ["body"], "DESCENTLAB_NETWORK_COMPUTE_BUDGET"),
    ({"landscape": {"resolution": 201}, "dataset": {"id": "moons", "params": {"n": 2048}},
      "architecture": {"hidden": [32, 32, 32, 32]}},
     ["body"], "DESCENTLAB_NETWORK_COMPUTE_BUDGET"),
])
def test_limits_answer_422_naming_the_limit(client, change, loc, setting):
    response = client.post(f"{API}/networks/races", json=with_changes(MOONS, **change))
    assert response.status_code == 422, response.text
    (error,) = strict(response.text)["detail"]
    assert error["loc"] == loc and error["type"] == "limit_exceeded"
    assert error["setting"] == setting and setting in error["msg"]


def test_the_benchmark_race_is_within_the_budget(client):
    """Six optimizers × 500 steps on 2-16-16-1 with 256 points and a 41 × 41 landscape."""
    body = {"dataset": {"id": "moons", "params": {"n": 256}},
            "architecture": {"hidden": [16, 16]}, "steps": 500,
            "optimizers": [{"id": o} for o in ("sgd", "momentum", "nesterov", "adagrad",
                                               "rmsprop", "adam")],
            "landscape": {"resolution": 41}}
    document = post(client, "races", body)
    assert len(document["runs"]) == 6 and len(document["runs"][0]["loss"]) == 501


@pytest.mark.parametrize("change,loc", [
    ({"run": "Adamm"}, ["body", "run"]),
    ({"run": 3}, ["body", "run"]),
    ({"frame": 121}, ["body", "frame"]),
    ({"frame": -122}, ["body", "frame"]),
    ({"resolution": 1}, ["body", "resolution"]),
    ({"resolution": 5000}, ["body", "resolution"]),
    ({"race": with_changes(MOONS, optimizers=[{"id": "newton"}])},
     ["body", "race", "optimizers", 0]),
    ({"race": with_changes(MOONS, steps=50_000)}, ["body", "race", "steps"]),
])
def test_bad_boundary_requests_name_the_field(client, change, loc):
    body = {"race": MOONS, "run": "Adam", "frame": 10, **change}
    response = client.post(f"{API}/networks/boundary", json=body)
    assert response.status_code == 422, response.text
    assert strict(response.text)["detail"][0]["loc"] == loc


# --------------------------------------------------------------------------- 2-weight nets


def test_two_weight_networks_race_and_grid_through_the_surface_endpoints(client):
    body = {"surface": {"id": "linear_net", "params": {"noise": 0.2, "seed": 1}},
            "start": [1.5, -1.4], "steps": 200,
            "optimizers": [{"id": "sgd", "hyperparameters": {"lr": 0.1}}, {"id": "newton"}]}
    response = client.post(f"{API}/races", json=body)
    document = strict(response.text)
    r = engine.race("linear_net", [("sgd", {"lr": 0.1}), "newton"], (1.5, -1.4), 200,
                    params={"noise": 0.2, "seed": 1})
    assert document["runs"][0]["path"] == r.positions[0, 0].tolist()
    assert document["surface"]["axes"] == ["w1", "w2"]
    assert len(document["surface"]["data"]["x"]) == 32
    kinds = [c["kind"] for c in document["surface"]["critical_points"]]
    assert kinds == ["global_min", "global_min", "saddle"]
    assert document["runs"][1]["status"] == "stalled"  # Newton aims at the saddle
    grid = strict(client.get(f"{API}/surfaces/neuron/grid", params={"resolution": 5}).text)
    assert grid["z"] == engine.grid("neuron", 5).z.tolist()
    listed = strict(client.get(f"{API}/surfaces").text)
    assert [s["id"] for s in listed if s["tags"][0] == "network"] == [
        "linear_net", "neuron", "logistic"]
    assert next(s for s in listed if s["id"] == "logistic")["critical_points"] == []
