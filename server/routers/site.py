"""The web page, its static files, Plotly.js and the API docs — all from this server.

Nothing is loaded from another origin: a lecture room may have no internet, and the
Content-Security-Policy forbids it anyway. Plotly.js comes from the installed ``plotly``
package and Swagger UI from ``swagger_ui_bundle``, read once and served with ETags and a
gzip copy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import anyio.to_thread
import plotly
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from descentlab.server import docs
from descentlab.server.caching import CachedBody
from descentlab.server.errors import not_found
from descentlab.server.state import lab

PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
JS = "text/javascript; charset=utf-8"
ASSET_CACHE_CONTROL = "public, max-age=3600"

router = APIRouter(include_in_schema=False)


async def _asset(request: Request, key: str, load: Callable[[], CachedBody]) -> Response:
    """Serve a file read and compressed on first use (in a thread: plotly is 4.6 MB)."""
    assets = lab(request).assets
    if key not in assets:
        assets[key] = await anyio.to_thread.run_sync(load)
    return assets[key].response(request)


def _file(path: Path, media_type: str) -> Callable[[], CachedBody]:
    return lambda: CachedBody.of(path.read_bytes(), media_type, ASSET_CACHE_CONTROL)


@router.get("/static/vendor/plotly.min.js")
async def plotly_js(request: Request) -> Response:
    return await _asset(request, "plotly", _file(PLOTLY_JS, JS))


@router.get("/docs")
async def docs_page() -> Response:
    return HTMLResponse(docs.PAGE)


@router.get("/docs/init.js")
async def docs_init(request: Request) -> Response:
    return await _asset(request, "docs-init",
                        lambda: CachedBody.of(docs.INIT_JS.encode(), JS, ASSET_CACHE_CONTROL))


@router.get("/docs/{name}")
async def docs_asset(request: Request, name: str) -> Response:
    if name not in docs.ASSETS:
        raise not_found(["path", "name"], f"no docs file '{name}'")
    return await _asset(request, f"docs-{name}", _file(docs.asset_path(name),
                                                        docs.ASSETS[name]))


def frontend(directory: Path) -> tuple[Callable, StaticFiles]:
    """The page at / and its files under /static, read from ``directory`` on each request
    (so a frontend being edited is served as it stands)."""
    files = StaticFiles(directory=directory, check_dir=False)

    async def index(request: Request) -> Response:
        return await files.get_response("index.html", request.scope)

    return index, files
