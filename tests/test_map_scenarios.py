"""Every maps-lab scenario must show what its notice tells the class.

Each map is computed through the API, from the request the gallery hands the page; a
scenario that continues in a panel (search, compare) is held to its claim with the request
that panel sends.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Iterator

import numpy as np
import pytest
from fastapi.testclient import TestClient

from descentlab import engine
from descentlab.engine.outcome import CONVERGED, DIVERGED
from descentlab.engine.theory import Quadratic
from descentlab.server.app import create_app

API = "/api/v1"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app()) as c:
        yield c


def cells(document: dict, name: str) -> np.ndarray:
    block = document["cells"][name]
    dtype = np.dtype(block["dtype"]).newbyteorder("<")
    return np.frombuffer(base64.b64decode(block["data"]), dtype=dtype).reshape(block["shape"])


def computed(client: TestClient, scenario_id: str, optimizer: int = 0, **change) -> dict:
    s = engine.get_map_scenario(scenario_id)
    response = client.post(f"{API}/maps/{s.kind}", json={**s.map_request(optimizer), **change})
    assert response.status_code == 200, response.text
    return response.json()


def test_map_scenarios_are_in_the_one_gallery(client):
    listed = client.get(f"{API}/scenarios").json()
    ids = [s["id"] for s in listed]
    maps = [s.id for s in engine.map_scenarios()]
    assert set(maps) <= set(ids) and len(maps) >= 5 and len(set(ids)) == len(ids)
    for entry in (e for e in listed if e["id"] in maps):
        assert entry["lab"] == "maps" and entry["question"].endswith("?")
        assert json.loads(json.dumps(entry, allow_nan=False)) == entry
        assert entry["map"]["request"]["optimizer"] == entry["map"]["optimizers"][0]


def neighbours_differ(basin: np.ndarray) -> float:
    """The share of neighbouring cells (across and down) whose runs end at different points."""
    return float(((basin[:, 1:] != basin[:, :-1]).mean() + (basin[1:] != basin[:-1]).mean()) / 2)


def test_himmelblau_basins_momentum_scrambles_them(client):
    gd, heavy = (computed(client, "himmelblau_basins", k) for k in (0, 1))
    assert gd["counts"]["converged"] == 96 * 96  # every start reaches a minimum
    assert sum(p["cells"] > 0 for p in gd["points"] if p["kind"] == "global_min") == 4
    assert neighbours_differ(cells(heavy, "basin")) > 5 * neighbours_differ(cells(gd, "basin"))


def test_ravine_lr_momentum_agrees_with_the_theory_and_its_optimum(client):
    document = computed(client, "ravine_lr_momentum")
    status, step = cells(document, "status"), cells(document, "step")
    lr, mu = np.meshgrid(document["x"]["centres"], document["y"]["centres"])
    theory = Quadratic(1.0, 100.0)
    assert document["theory"]["lam_min"] == 1.0 and document["theory"]["lam_max"] == 100.0
    rate = theory.rate("momentum", lr, mu)
    clear = np.abs(rate - 1.0) > 0.02  # cells not on the boundary itself
    assert np.all((status == DIVERGED)[clear] == (rate > 1.0)[clear])
    # the fastest cell is next to the theory's optimum (lr ≈ 0.033, μ ≈ 0.67)
    best_lr, best_mu = theory.optimum("momentum")
    fastest = np.where(status == CONVERGED, step, np.iinfo(np.int32).max)
    j, i = np.unravel_index(np.argmin(fastest), fastest.shape)
    assert abs(np.log(lr[j, i] / best_lr)) < 0.25 and abs(mu[j, i] - best_mu) < 0.08


def test_per_layer_rates_trade_off_along_one_smooth_edge(client):
    document = computed(client, "per_layer_rates")
    diverged = cells(document, "status") == DIVERGED
    # row by row (lr_y growing), the first diverging lr_x never moves right
    first = [int(np.argmax(row)) if row.any() else row.size for row in diverged]
    assert all(b <= a for a, b in itertools.pairwise(first))
    assert first[0] > first[-1] + 20
    # zoomed 10⁴× onto the edge, still one straight line: no fractal for two linear weights
    ys = document["y"]["centres"]
    j = len(ys) // 2
    lo, hi = document["x"]["centres"][first[j] - 1], document["x"]["centres"][first[j]]
    run = lambda lr_x: engine.race("linear_net", [("sgd", {"lr": 0.1, "lr_x": lr_x,  # noqa: E731
                                                           "lr_y": ys[j]})],
                                   (1.5, -1.5), 500, final_only=True).diverged_at[0, 0] >= 0
    for _ in range(40):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if run(mid) else (mid, hi)
    w = 1e-4
    zoom = computed(client, "per_layer_rates", resolution=48,
                    x={"name": "lr_x", "lo": lo * (1 - w), "hi": lo * (1 + w), "scale": "log"},
                    y={"name": "lr_y", "lo": ys[j] * (1 - w), "hi": ys[j] * (1 + w),
                       "scale": "log"})
    status = cells(zoom, "status")
    assert 0.2 < np.mean(status == DIVERGED) < 0.8
    changes = (status[:, 1:] != status[:, :-1]).sum() + (status[1:] != status[:-1]).sum()
    assert changes <= 2 * 48


def test_grid_vs_random_random_wins_most_repeats(client):
    s = engine.get_map_scenario("grid_vs_random")
    body = s.map_request()
    base = {"surface": body["surface"], "optimizer": body["optimizer"], "start": body["start"],
            "space": [body["x"], body["y"]], "steps": body["steps"], "budget": 16,
            "repeats": 100}
    grid, rand = (client.post(f"{API}/maps/search", json={**base, "method": m}).json()
                  for m in ("grid", "random"))
    score = lambda v: np.inf if v is None else v  # noqa: E731
    wins = np.mean([score(r) < score(g) for r, g in zip(rand["best_score"],
                                                        grid["best_score"], strict=True)])
    assert len({t[0] for t in grid["trials"][0]}) == 4 and wins > 0.6


def test_adam_fair_momentum_tuned_alike_does_as_well(client):
    """The request the Compare panel sends: the roster, 20 random learning rates each on the
    surface's suggested starts, judged from a 5 × 5 grid of held-out starts over its view."""
    s = engine.get_map_scenario("adam_fair")
    surface = engine.get_surface(s.surface)
    x0, x1, y0, y1 = surface.view
    side = lambda lo, hi: [lo + (i + 0.5) / 5 * (hi - lo) for i in range(5)]  # noqa: E731
    body = {"surface": {"id": s.surface, "params": dict(s.params)},
            "optimizers": [dict(o) for o in s.optimizers], "budget": 20,
            "tuning_starts": [list(p) for p in surface.starts],
            "test_starts": [[x, y] for x in side(x0, x1) for y in side(y0, y1)],
            "steps": s.steps}
    adam, momentum = client.post(f"{API}/maps/compare", json=body).json()["runs"]
    assert adam["converged_fraction"] == momentum["converged_fraction"] == 1.0
    steps = lambda entry: np.median(np.array(entry["steps"]))  # noqa: E731
    assert steps(momentum) <= 1.25 * steps(adam)
