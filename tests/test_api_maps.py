"""The maps through the HTTP API: the cells the engine computed, compactly and exactly, and
422s that name the field."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from descentlab import engine
from descentlab.server.app import create_app
from descentlab.server.settings import Settings

API = "/api/v1/maps"
RAVINE = {"id": "ravine", "params": {"kappa": 100.0}}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings())) as c:
        yield c


def decoded(block: dict) -> np.ndarray:
    dtype = np.dtype(block["dtype"]).newbyteorder("<")
    return np.frombuffer(base64.b64decode(block["data"]), dtype=dtype).reshape(block["shape"])


def test_a_basin_map_carries_the_engines_cells(client):
    body = {"surface": {"id": "himmelblau"}, "optimizer": {"id": "adam",
                                                            "hyperparameters": {"lr": 0.05}},
            "region": [-5, 5, -5, 5], "resolution": 40, "steps": 200}
    response = client.post(f"{API}/basins", json=body)
    assert response.status_code == 200, response.text
    document = response.json()
    m = engine.basin_map("himmelblau", ("adam", {"lr": 0.05}), view=(-5, 5, -5, 5),
                         resolution=40, steps=200)
    cells = document["cells"]
    for name in ("status", "basin", "step"):
        assert np.array_equal(decoded(cells[name]), getattr(m, name)), name
    assert np.array_equal(decoded(cells["loss"]), m.loss.astype(np.float32))
    assert np.array_equal(decoded(cells["final"]), m.final.astype(np.float32))
    assert document["x"]["centres"] == list(m.x) and document["y"]["centres"] == list(m.y)
    assert sum(document["counts"].values()) == 40 * 40
    reached = [p for p in document["points"] if p["cells"]]
    assert len(reached) == 4 and all(p["kind"] == "global_min" for p in reached)
    assert document["theory"] is None and document["start"] is None


def test_a_hyperparameter_map_carries_the_theory(client):
    body = {"surface": RAVINE, "optimizer": {"id": "momentum"}, "start": [2, 1],
            "x": {"name": "lr", "lo": 0.002, "hi": 0.06, "scale": "log"},
            "y": {"name": "momentum", "lo": 0.3, "hi": 0.95}, "resolution": 24, "steps": 300}
    document = client.post(f"{API}/hyperparameters", json=body).json()
    theory = document["theory"]
    assert theory["lam_min"] == pytest.approx(1) and theory["lam_max"] == pytest.approx(100)
    assert theory["optimum"] == pytest.approx([(2 / 11) ** 2, (9 / 11) ** 2])
    assert theory["lr_limit"] == pytest.approx([(2 + 2 * m) / 100 for m in theory["momentum"]])
    assert decoded(document["cells"]["status"]).shape == (24, 24)
    one_row = client.post(f"{API}/hyperparameters", json={**body, "optimizer": {"id": "sgd"},
                                                          "y": None}).json()
    assert decoded(one_row["cells"]["status"]).shape == (1, 24) and one_row["y"] is None


@pytest.mark.parametrize("change,loc,words", [
    ({"x": {"name": "gamma", "lo": 0.1, "hi": 1}}, ["body", "x", "name"], "no hyperparameter"),
    ({"x": {"name": "lr", "lo": 0.5, "hi": 0.1}}, ["body", "x"], "low < high"),
    ({"x": {"name": "lr", "lo": 0, "hi": 1, "scale": "log"}}, ["body", "x", "lo"], "log axis"),
    ({"y": {"name": "momentum", "lo": 0.5, "hi": 1.5}}, ["body", "y"], "lies in"),
    ({"resolution": 600}, ["body", "resolution"], "DESCENTLAB_MAX_MAP_RESOLUTION"),
    ({"resolution": 500, "steps": 1000}, ["body"], "DESCENTLAB_MAP_BUDGET"),
    ({"optimizer": {"id": "momentum", "hyperparameters": {"lr": -1}}},
     ["body", "optimizer", "hyperparameters", "lr"], "lr"),
    ({"surface": {"expression": "x**2 +"}}, ["body", "surface", "expression"], "column"),
])
def test_bad_maps_get_422_at_their_field(client, change, loc, words):
    body = {"surface": RAVINE, "optimizer": {"id": "momentum"}, "start": [2, 1], **change}
    response = client.post(f"{API}/hyperparameters", json=body)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == loc and words in error["msg"] + str(error.get("column", ""))


def streamed(client: TestClient, path: str, body: dict) -> list[dict]:
    with client.stream("POST", f"{API}/{path}/stream", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        return [json.loads(line) for line in response.iter_lines()]


@pytest.mark.parametrize("path,body", [
    ("basins", {"surface": {"expression": "(x**2 - 1)**2 + y**2"}, "region": [-1.5, 1.5, -1, 1],
                "optimizer": {"id": "sgd", "hyperparameters": {"lr": 0.02}},
                "resolution": 100, "steps": 300}),
    ("hyperparameters", {"surface": RAVINE, "optimizer": {"id": "momentum"}, "start": [2, 1],
                         "x": {"name": "lr", "lo": 0.002, "hi": 0.06, "scale": "log"},
                         "resolution": 90, "steps": 300}),
])
def test_a_streamed_map_ends_as_the_plain_map(client, path, body):
    """A coarse pass first, then tiles whose rows assemble to the plain map's cells; the
    summary is the plain map's (for a formula, its minima numbered over the whole map)."""
    plain = client.post(f"{API}/{path}", json=body).json()
    lines = streamed(client, path, body)
    kinds = [line["type"] for line in lines]
    assert kinds[:2] == ["meta", "coarse"] and kinds[-1] == "summary"
    assert set(kinds[2:-1]) == {"tile"} and len(kinds) - 3 == len(lines[0]["tiles"]) > 1
    progress = [line["progress"] for line in lines[1:-1]]
    assert progress == sorted(progress) and progress[-1] == 1
    tiles = [line for line in lines if line["type"] == "tile"]
    assert [t["rows"] for t in tiles] == lines[0]["tiles"]
    for name in ("status", "step", "loss", "final") + (("basin",) if path != "basins" else ()):
        joined = np.concatenate([decoded(t["cells"][name]) for t in tiles])
        assert np.array_equal(joined, decoded(plain["cells"][name])), name
    summary = lines[-1]
    for key in ("counts", "points", "theory", "x", "y"):
        assert summary[key] == plain[key], key
    if path == "basins":
        assert np.array_equal(decoded(summary["basin"]), decoded(plain["cells"]["basin"]))
        assert len(summary["points"]) == 2
    coarse = lines[1]
    assert decoded(coarse["cells"]["status"]).shape[-1] == lines[0]["coarse_resolution"]


def test_a_map_stream_refuses_like_the_plain_map(client):
    response = client.post(f"{API}/basins/stream", json={
        "surface": {"id": "himmelblau"}, "optimizer": {"id": "adam"}, "resolution": 9999})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/json"
