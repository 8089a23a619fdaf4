"""``create_app``: the FastAPI application, its middleware and its start-up.

Start-up warms the engine (in a thread) before the server accepts a connection, saying so
in the log when that means compiling, and serialises the catalogues once.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware

from descentlab import __version__
from descentlab.server import errors, i18n, network_translate, streaming, translate
from descentlab.server.caching import CachedBody, LruCache
from descentlab.server.gate import Gate
from descentlab.server.jsonio import check_finite, dumps
from descentlab.server.localize import localize
from descentlab.server.middleware import BodyLimit, HeadAsGet, OneVary, SecurityHeaders
from descentlab.server.routers import (
    catalog,
    gradient_check,
    grid,
    health,
    maps,
    networks,
    races,
    site,
)
from descentlab.server.schemas import Limits
from descentlab.server.settings import Settings
from descentlab.server.state import LabState, catalogue_key
from descentlab.server.warmup import warm_up

log = logging.getLogger("descentlab")
API_PREFIX = "/api/v1"

DESCRIPTION = """Optimizers racing over 2-D loss surfaces and small neural networks.

Start with **POST /api/v1/races** ("Try it out" has examples), then look at the catalogues
(GET /api/v1/surfaces, /optimizers, /schedules) for ids, parameters and their ranges.

* Errors always look like `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`:
  `loc` points at the offending field (`["body", "optimizers", 1, "hyperparameters",
  "lr"]`), expression errors add a 1-based `column`, and limit errors name the
  `setting` that raises them. Malformed JSON is a 422 of type `json_invalid`; send
  `Content-Type: application/json`.
* 413: the body is over DESCENTLAB_MAX_BODY_BYTES. 503 + Retry-After: every computing
  slot stayed busy for DESCENTLAB_QUEUE_TIMEOUT seconds.
* Numbers are never NaN or Infinity: a value that is not finite is `null`.
* The same request always gives the same bytes; GET responses carry an ETag and answer
  `If-None-Match` with 304.
* Streams (`/races/stream`, `/races/stream/sse`) send `meta`, then `frame` events every
  `frame_steps` steps (the first starts at frame 0, so their arrays concatenate into the
  full race), then `summary` — or `error` if the race fails midway. An EventSource
  reconnects when a stream ends: close it on `summary`.
* Networks: GET /api/v1/networks lists datasets, architectures and suggested learning
  rates; POST /api/v1/networks/races (or `/races/stream`) trains one network with several
  optimizers and returns loss and accuracy curves, the paths projected on a plane of weight
  space and the loss over that plane; POST /api/v1/networks/boundary gives one run's
  decision boundary at one frame. Races are deterministic, so the server remembers recent
  ones: a boundary request for a race just run costs one forward pass.
* Maps: POST /api/v1/maps/basins races one optimizer from every cell of a rectangle of
  starts; POST /api/v1/maps/hyperparameters from one start with every cell's pair of
  hyperparameter values, with the theory's stability limit and optimum where known. Each
  per-cell array comes as `{"dtype", "shape", "data"}`: little-endian bytes in base64.
"""


def _catalogue_bodies(settings: Settings) -> dict[str, CachedBody]:
    limits = Limits.model_validate(settings.model_dump(include=set(Limits.model_fields)))
    documents = {**translate.catalogues(), "networks": network_translate.catalogue(),
                 "limits": limits.model_dump()}
    return {catalogue_key(name, lang): CachedBody.of(dumps(check_finite(localize(name, doc,
                                                                                    lang))))
            for lang in i18n.LANGUAGES for name, doc in documents.items()}


def _connect(address: str):
    """The Dask cluster the maps run on (its workers warmed before the first map)."""
    from descentlab.engine.cluster import connect

    client = connect(address)
    log.info("maps run on the Dask cluster at %s (%d workers)", address,
             len(client.scheduler_info()["workers"]))
    return client


def _lifespan(state: LabState):
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        s = state.settings
        warmth = await anyio.to_thread.run_sync(lambda: warm_up(say=log.info))
        catalogues = await anyio.to_thread.run_sync(_catalogue_bodies, s)
        state.start(warmth, Gate(s.max_concurrent_heavy, s.queue_timeout, s.retry_after),
                    catalogues)
        if s.dask_scheduler:
            state.cluster = await anyio.to_thread.run_sync(_connect, s.dask_scheduler)
        log.info("Descent Lab ready at http://%s:%d (engine warm in %.2f s, %d computing "
                 "slots)", s.host, s.port, warmth.seconds, s.max_concurrent_heavy)
        try:
            yield
        finally:
            if state.cluster is not None:
                await anyio.to_thread.run_sync(state.cluster.close)

    return lifespan


def _middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: every response gets the security headers, even a 413."""
    stack = [Middleware(SecurityHeaders), Middleware(OneVary), Middleware(HeadAsGet),
             Middleware(BodyLimit, max_bytes=settings.max_body_bytes)]
    if settings.cors_origins:
        stack.append(Middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                                allow_methods=["GET", "POST"], allow_headers=["Content-Type"],
                                expose_headers=["ETag", "Retry-After"]))
    if settings.gzip_level:
        stack.append(Middleware(GZipMiddleware, minimum_size=1024,
                                compresslevel=settings.gzip_level,
                                exclude_content_types=(*DEFAULT_EXCLUDED_CONTENT_TYPES,
                                                       streaming.NDJSON)))
    return stack


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; ``settings`` default to the environment (``DESCENTLAB_*``)."""
    settings = settings or Settings()
    state = LabState(settings, LruCache(settings.grid_cache_entries),
                     network_translate.new_memo(settings.network_memo_entries,
                                                settings.network_memo_bytes))
    app = FastAPI(title="Descent Lab", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None, lifespan=_lifespan(state),
                  middleware=_middleware(settings))
    app.state.lab = state
    errors.install(app)
    for router in (catalog.router, grid.router, races.router, gradient_check.router,
                   networks.router, maps.router):
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(health.router)
    app.include_router(site.router)
    index, files = site.frontend(settings.frontend_dir)
    app.add_api_route("/", index, include_in_schema=False)
    app.mount("/static", files, name="static")
    return app
