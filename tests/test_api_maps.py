"""The maps through the HTTP API: the cells the engine computed, compactly and exactly, and
422s that name the field."""

from __future__ import annotations

import base64
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
