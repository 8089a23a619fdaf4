"""A JSON body computed for one request, as a response: with its ETag and, when the client
accepts it, compressed at the fastest level (zstd before gzip; see ``encoding``).

Called in the worker thread that computed the body, so the event loop only sends bytes.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from descentlab.server import encoding
from descentlab.server.caching import etag_of
from descentlab.server.settings import Settings


def accepted_encoding(request: Request, settings: Settings) -> str | None:
    """The encoding to compress with, or None: the client's choice unless turned off."""
    if not settings.gzip_level:
        return None
    return encoding.preferred(request.headers.get("accept-encoding", ""))


def computed_json(body: bytes, content_encoding: str | None) -> Response:
    etag = etag_of(body)
    headers = {"ETag": encoding.tagged(etag, content_encoding), "Vary": "Accept-Encoding"}
    if content_encoding is not None and len(body) >= encoding.MIN_BYTES:
        body = encoding.compress(body, content_encoding, fast=True)
        headers["Content-Encoding"] = content_encoding
    else:
        headers["ETag"] = etag
    return Response(body, media_type="application/json", headers=headers)
