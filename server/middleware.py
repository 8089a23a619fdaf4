"""Pure ASGI middleware (no buffering, so streams still flush line by line).

``SecurityHeaders`` puts the same headers on every response, errors and 304s included.
The Content-Security-Policy allows nothing from another origin: the page, Plotly and the
Swagger UI are all served from here, and an inline script is refused (the docs page loads
its start-up code from a file for that reason). Plotly.js and Swagger UI run without
'unsafe-eval' (checked in headless Chromium); their inline styles need 'unsafe-inline' in
style-src only.

``OneVary`` merges the Vary headers into one: a cached body names Accept-Encoding itself,
and Starlette's GZip middleware adds it again to every body it passes uncompressed.

``HeadAsGet`` answers HEAD wherever GET is answered (FastAPI's routes take GET alone), with
the GET's headers and no body: ``curl -I``, link checkers and some load balancers' health
checks send nothing else.

``BodyLimit`` answers 413 to a body over the limit before FastAPI buffers or parses it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from descentlab.server.errors import json_error, too_large

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class _ResponseRewriter:
    """Pure ASGI middleware that rewrites the messages of every HTTP response it applies to;
    subclasses say which requests (``applies``), how the request is seen (``request``) and
    how each message is rewritten (``rewrite``); by default, none of them is changed."""

    def __init__(self, app: ASGIApp):
        self.app = app

    def applies(self, scope: Scope) -> bool:
        return scope["type"] == "http"

    def request(self, scope: Scope) -> Scope:
        return scope

    def rewrite(self, message: Message) -> Message:
        return message

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.applies(scope):
            await self.app(scope, receive, send)
            return

        async def send_rewritten(message: Message) -> None:
            await send(self.rewrite(message))

        await self.app(self.request(scope), receive, send_rewritten)


class SecurityHeaders(_ResponseRewriter):
    def rewrite(self, message: Message) -> Message:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
        return message


class OneVary(_ResponseRewriter):
    def rewrite(self, message: Message) -> Message:
        if message["type"] != "http.response.start":
            return message
        headers = message.get("headers", [])
        varying = [value for name, value in headers if name.lower() == b"vary"]
        if len(varying) > 1 or any(b"," in value for value in varying):
            names: dict[bytes, bytes] = {}
            for value in varying:
                for token in value.split(b","):
                    names.setdefault(token.strip().lower(), token.strip())
            message["headers"] = [*((n, v) for n, v in headers if n.lower() != b"vary"),
                                  (b"vary", b", ".join(names.values()))]
        return message


class HeadAsGet(_ResponseRewriter):
    def applies(self, scope: Scope) -> bool:
        return scope["type"] == "http" and scope["method"] == "HEAD"

    def request(self, scope: Scope) -> Scope:
        return {**scope, "method": "GET"}

    def rewrite(self, message: Message) -> Message:
        return {**message, "body": b""} if message["type"] == "http.response.body" \
            else message


class BodyLimit:
    """413 for a body over the limit, in the same JSON shape as every other error.

    A Content-Length over the limit is refused before anything reads the body. A body sent
    without one (chunked) is counted as it is read: once it passes the limit this answers
    413 itself, tells the app the client has gone, and drops whatever the app then sends.
    """

    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                await json_error(413, [too_large(int(value), self.max_bytes)])(
                    scope, receive, send)
                return
        seen, started, refused = 0, False, False

        async def counted_receive() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not started:
                    refused = True
                    await json_error(413, [too_large(None, self.max_bytes)])(
                        scope, receive, send)
            return {"type": "http.disconnect"} if refused else message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted_receive, guarded_send)
