"""What one app instance holds between requests, typed, instead of loose ``app.state`` keys:
the settings, the grid cache, the network races remembered for their decision boundaries,
the gate and the catalogues.

The gate and the catalogues are made at start-up, inside the server's event loop and after
the engine is warm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from descentlab.server.caching import CachedBody, LruCache
from descentlab.server.gate import Gate
from descentlab.server.network_translate import RaceMemo
from descentlab.server.settings import Settings
from descentlab.server.warmup import Warmth


@dataclass
class LabState:
    settings: Settings
    grids: LruCache
    networks: RaceMemo
    assets: dict[str, CachedBody] = field(default_factory=dict)
    catalogues: dict[str, CachedBody] = field(default_factory=dict)
    warmth: Warmth | None = None
    cluster: Any = None
    """A ``distributed.Client`` when DESCENTLAB_DASK_SCHEDULER names a cluster."""
    _gate: Gate | None = None

    @property
    def gate(self) -> Gate:
        if self._gate is None:
            raise RuntimeError("the app has not started: run it under a server (or a "
                               "TestClient used as a context manager)")
        return self._gate

    def start(self, warmth: Warmth, gate: Gate, catalogues: dict[str, CachedBody]) -> None:
        self.warmth, self._gate, self.catalogues = warmth, gate, catalogues


def lab(request: Request) -> LabState:
    return request.app.state.lab


def catalogue_key(name: str, lang: str) -> str:
    """Where the catalogue ``name`` in ``lang`` is kept: English under its own name."""
    return name if lang == "en" else f"{name}@{lang}"
