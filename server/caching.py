"""Bodies that are computed once and then served many times: catalogues, grids, Plotly.

Each carries a strong ETag (a hash of its bytes) so browsers revalidate with
``If-None-Match`` and get a bodiless 304, and compressed copies made once at a high level,
so a projector laptop fetching a 300 × 300 grid or the 4.6 MB plotly.min.js pays for the
compression only the first time. Each copy has its own ETag, as HTTP asks of a different
representation; any of them answers a revalidation.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from descentlab.server import encoding


def etag_of(body: bytes) -> str:
    """A strong validator: the same bytes always get the same ETag (SHA-1: the fastest
    hash here, and a validator needs no collision resistance against attackers)."""
    return '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'


def _matches(if_none_match: str | None, tag: str) -> bool:
    if not if_none_match:
        return False
    core = tag.strip('"')
    for candidate in if_none_match.split(","):
        candidate = candidate.strip().removeprefix("W/").strip('"')
        for suffix in encoding.SUFFIXES:
            candidate = candidate.removesuffix(suffix)
        if candidate == "*" or candidate == core:
            return True
    return False


@dataclass(frozen=True)
class CachedBody:
    """One representation ready to serve, with its validator and compressed copies."""

    body: bytes
    media_type: str
    cache_control: str
    etag: str
    encoded: dict[str, bytes]

    @classmethod
    def of(cls, body: bytes, media_type: str = "application/json",
           cache_control: str = "public, max-age=300") -> CachedBody:
        encoded = {}
        if len(body) >= encoding.MIN_BYTES:
            for name in ("zstd", "gzip"):
                packed = encoding.compress(body, name, fast=False)
                if len(packed) < len(body):
                    encoded[name] = packed
        return cls(body, media_type, cache_control, etag_of(body), encoded)

    def response(self, request: Request) -> Response:
        """200 with the best encoding the client accepts, or 304 if it already has it."""
        chosen = encoding.preferred(request.headers.get("accept-encoding", ""))
        if chosen not in self.encoded:
            chosen = None
        headers = {"ETag": encoding.tagged(self.etag, chosen),
                   "Cache-Control": self.cache_control, "Vary": "Accept-Encoding"}
        if _matches(request.headers.get("if-none-match"), self.etag):
            return Response(status_code=304, headers=headers)
        if chosen is not None:
            headers["Content-Encoding"] = chosen
            return Response(self.encoded[chosen], headers=headers, media_type=self.media_type)
        return Response(self.body, headers=headers, media_type=self.media_type)


class LruCache:
    """The most recently used ``size`` bodies (grids), keyed by their normalised query."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[Hashable, CachedBody] = OrderedDict()

    def get(self, key: Hashable) -> CachedBody | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: Hashable, value: CachedBody) -> None:
        if self.size == 0:
            return
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)
