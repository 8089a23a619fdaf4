"""Search and comparison through the API: the engine's numbers, priced like maps."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from descentlab import engine
from descentlab.server.app import create_app

SEARCH = {"surface": {"id": "rosenbrock"}, "optimizer": {"id": "adam"}, "start": [-1.5, 2],
          "space": [{"name": "lr", "lo": 0.001, "hi": 1, "scale": "log"},
                    {"name": "eps", "lo": 1e-12, "hi": 1e-8, "scale": "log"}],
          "budget": 9, "repeats": 6, "steps": 200, "seed": 3}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize("method", ["grid", "random", "coarse_to_fine"])
def test_a_search_is_the_engines(client, method):
    document = client.post("/api/v1/maps/search", json={**SEARCH, "method": method}).json()
    found = engine.search("rosenbrock", "adam", (-1.5, 2), {"lr": (0.001, 1, "log"),
                                                           "eps": (1e-12, 1e-8, "log")},
                          budget=9, repeats=6, steps=200, seed=3, method=method)
    assert np.array_equal(np.array(document["trials"]), found.trials)
    scores = np.array([[np.inf if v is None else v for v in row] for row in document["scores"]])
    assert np.array_equal(scores, found.scores)
    assert document["best_score"] == list(found.best_score)


def test_a_comparison_is_the_engines(client):
    body = {"surface": {"id": "himmelblau"}, "optimizers": [{"id": "sgd"}, {"id": "adam"}],
            "budget": 6, "tuning_starts": [[0, 0]], "test_starts": [[1, 1], [-2, 3]],
            "seeds": [0, 1], "noise_std": 0.2, "steps": 200}
    runs = client.post("/api/v1/maps/compare", json=body).json()["runs"]
    result = engine.compare("himmelblau", ["sgd", "adam"], budget=6, tuning_starts=[(0, 0)],
                            test_starts=[(1, 1), (-2, 3)], seeds=(0, 1), noise_std=0.2,
                            steps=200)
    for entry, tuned, loss, done in zip(runs, result.tuned, result.final_loss,
                                        result.converged, strict=True):
        assert entry["tuned"] == tuned and np.array_equal(np.array(entry["final_loss"]), loss)
        assert entry["converged_fraction"] == done.mean()


@pytest.mark.parametrize("change,loc", [
    ({"space": [{"name": "zz", "lo": 0.1, "hi": 1}]}, ["body", "space", 0, "name"]),
    ({"space": [{"name": "lr", "lo": 0, "hi": 1, "scale": "log"}]}, ["body", "space", 0, "lo"]),
    ({"budget": 1000, "repeats": 1000}, ["body"]),
    ({"method": "bayes"}, ["body", "method"]),
])
def test_bad_searches_get_422_at_their_field(client, change, loc):
    response = client.post("/api/v1/maps/search", json={**SEARCH, **change})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == loc
