"""Maps on a Dask cluster: the map cut into tiles of rows, one task per tile, assembled here.

A tile is a pure function of its request (``basin_map(..., rows=(j0, j1))``), so whichever
worker computes it, on however many threads, its bytes are those of the same rows computed
in one process. ``dask.distributed`` is imported only when a client is given.

Each worker gets the ``DescentLabWorker`` plugin once: it imports the engine (loading, or on
a fresh machine compiling, its Numba cache before the first tile arrives) and decides how
many threads a tile may use — the host's cores shared among the task threads of every
worker on that host, so that two workers on two cores do not each start two threads.

This module imports ``distributed``; the engine imports it only when a client is given.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numba
from distributed import WorkerPlugin, as_completed

from descentlab.engine.maps import MapResult, assemble, tile_rows

THREADS_VARIABLE = "DESCENTLAB_TILE_THREADS"
TILE_CELLS = 16_384


def _threads_per_task(workers: dict[str, dict]) -> dict[str, int]:
    """For each worker address: the cores of its host over all task threads there."""
    per_host: dict[str, int] = {}
    for info in workers.values():
        per_host[info["host"]] = per_host.get(info["host"], 0) + int(info["nthreads"])
    cores = os.cpu_count() or 1
    return {address: max(1, cores // per_host[info["host"]])
            for address, info in workers.items()}


class DescentLabWorker(WorkerPlugin):
    """On each worker: warm the engine, and say how many threads a tile may use."""

    name = "descentlab"

    def __init__(self, threads: dict[str, int]):
        self.threads = threads

    def setup(self, worker: Any) -> None:
        os.environ[THREADS_VARIABLE] = str(self.threads.get(worker.address, 1))
        from descentlab.engine.maps import basin_map
        from descentlab.engine.optimizers.catalog import DEFAULT_LINEUP

        basin_map("bowl", DEFAULT_LINEUP[0], resolution=2, steps=1)


def _tile(compute: Callable[..., MapResult], kwargs: dict, rows: tuple[int, int]) -> MapResult:
    """One tile, on a worker, with the threads its plugin allowed (Numba's count is per
    calling thread, so it is set here, in the task's own thread)."""
    numba.set_num_threads(min(numba.config.NUMBA_NUM_THREADS,
                              int(os.environ.get(THREADS_VARIABLE, "1"))))
    return compute(**kwargs, rows=rows)


def prepare(client: Any) -> Any:
    """Give every worker of ``client``'s cluster the plugin (again: workers may have joined)."""
    client.register_plugin(DescentLabWorker(_threads_per_task(
        client.scheduler_info()["workers"])), name=DescentLabWorker.name)
    return client


def connect(address: str) -> Any:
    """A client of the cluster at ``address``, its workers prepared."""
    from distributed import Client

    return prepare(Client(address, timeout=30, set_as_default=False))


def tile_on(client: Any, compute: Callable[..., MapResult], kwargs: dict,
            rows: tuple[int, int]) -> MapResult:
    """One tile, computed as a task on the cluster (a stream sends them one at a time)."""
    return client.submit(_tile, compute, kwargs, rows, pure=False).result()


def map_on_cluster(client: Any, compute: Callable[..., MapResult], kwargs: dict,
                   height: int, width: int,
                   progress: Callable[[int], None] | None = None) -> MapResult:
    """``compute(**kwargs)`` (``basin_map`` or ``hyperparameter_map``) cut into tiles that
    run as tasks on ``client``'s cluster; ``progress`` hears each tile's row count."""
    prepare(client)
    bands: Sequence[tuple[int, int]] = tile_rows(height, max(1, TILE_CELLS // width))
    futures = [client.submit(_tile, compute, kwargs, band, pure=False) for band in bands]
    order = {future.key: i for i, future in enumerate(futures)}
    tiles: list[MapResult | None] = [None] * len(futures)
    for future in as_completed(futures):
        i = order[future.key]
        tiles[i] = future.result()
        if progress is not None:
            progress(bands[i][1] - bands[i][0])
    return assemble([t for t in tiles if t is not None])
