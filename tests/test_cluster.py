"""Maps on a Dask cluster: two worker processes give the bytes one process gives."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest
from distributed import Client, LocalCluster
from fastapi.testclient import TestClient

from descentlab import engine
from descentlab.server.app import create_app
from descentlab.server.cli import main
from descentlab.server.settings import Settings

NAMES = ("status", "basin", "step", "final", "loss", "x", "y")


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                      dashboard_address=None) as cluster, Client(cluster) as c:
        yield c


def same(a: engine.MapResult, b: engine.MapResult) -> bool:
    return all(getattr(a, n).tobytes() == getattr(b, n).tobytes() for n in NAMES)


def test_a_basin_map_on_two_worker_processes_is_the_same_bytes(client):
    kwargs = {"resolution": (160, 150), "steps": 200}
    on_cluster = engine.basin_map("himmelblau", ("adam", {"lr": 0.05}), client=client,
                                  **kwargs)
    here = engine.basin_map("himmelblau", ("adam", {"lr": 0.05}), **kwargs)
    assert same(on_cluster, here)
    workers = client.run(lambda: __import__("os").environ.get("DESCENTLAB_TILE_THREADS"))
    assert set(workers.values()) == {str(max(1, (__import__("os").cpu_count() or 1) // 2))}


def test_a_hyperparameter_map_and_a_formulas_minima_on_the_cluster(client):
    kwargs = {"x": ("lr", 1e-3, 0.06, "log"), "y": ("momentum", 0.0, 0.95),
              "resolution": 140, "steps": 150, "params": {"kappa": 100}}
    on_cluster = engine.hyperparameter_map("ravine", "momentum", (2, 1), client=client,
                                           **kwargs)
    here = engine.hyperparameter_map("ravine", "momentum", (2, 1), **kwargs)
    assert same(on_cluster, here)
    assert on_cluster.theory["lr_limit"].tobytes() == here.theory["lr_limit"].tobytes()
    formula = engine.expression("(x**2 - 1)**2 + y**2")
    kwargs = {"view": (-1.5, 1.5, -1, 1), "resolution": 130, "steps": 600}
    a = engine.basin_map(formula, ("sgd", {"lr": 0.02}), client=client, **kwargs)
    b = engine.basin_map(formula, ("sgd", {"lr": 0.02}), **kwargs)
    assert same(a, b) and a.points == b.points and len(a.points) == 2


def test_the_cli_maps_on_a_scheduler_as_it_does_at_home(client, tmp_path):
    argv = ["map", "basins", "--surface", "himmelblau", "--optimizer", "adam:lr=0.05",
            "--resolution", "90", "--steps", "150", "-q"]
    for name, extra in (("here.npz", []), ("there.npz", ["--scheduler",
                                                         client.scheduler.address])):
        main([*argv, *extra, "--output", str(tmp_path / name)])
    here, there = np.load(tmp_path / "here.npz"), np.load(tmp_path / "there.npz")
    for key in ("status", "basin", "step", "final", "loss"):
        assert here[key].tobytes() == there[key].tobytes(), key


def test_the_server_maps_on_the_cluster_it_is_given(client):
    """DESCENTLAB_DASK_SCHEDULER: the plain and the streamed map are the in-process ones."""
    body = {"surface": {"id": "himmelblau"}, "optimizer": {"id": "adam",
                                                            "hyperparameters": {"lr": 0.05}},
            "resolution": 100, "steps": 150}
    settings = Settings(dask_scheduler=client.scheduler.address, map_tile_cells=2000)
    with TestClient(create_app(settings)) as on_cluster, \
            TestClient(create_app(Settings(map_tile_cells=2000))) as here:
        assert on_cluster.app.state.lab.cluster is not None
        for path in ("/api/v1/maps/basins", "/api/v1/maps/basins/stream"):
            a, b = on_cluster.post(path, json=body), here.post(path, json=body)
            assert a.status_code == b.status_code == 200 and a.content == b.content, path
