"""Every error the API sends has one shape: ``{"detail": [{"loc", "msg", "type", …}]}``.

It is FastAPI's validation-error shape, kept for engine errors, limits, 404s, 413s and
503s too, so that a client (and the UI, which shows a message beside the offending field)
parses one format. The engine's errors carry a dotted field path relative to the request;
``located`` turns it into a ``loc`` under the part of the HTTP request it came from.
An item may carry a message key and its parameters (kept out of the JSON): the handlers
render its ``msg`` in the request's language (``?lang=`` or ``Accept-Language``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from descentlab import engine
from descentlab.server import i18n
from descentlab.server.jsonio import dumps
from descentlab.server.settings import Settings

log = logging.getLogger("descentlab")

Loc = Sequence[str | int]


class ApiError(Exception):
    """An error response: its status, its detail items and any extra headers."""

    def __init__(self, status: int, items: list[dict[str, Any]],
                 headers: dict[str, str] | None = None):
        super().__init__(items[0]["msg"] if items else str(status))
        self.status, self.items, self.headers = status, items, headers or {}


_KEY, _PARAMS = "_key", "_params"


def item(loc: Loc, msg: str, kind: str, *, key: str | None = None,
         params: dict[str, object] | None = None, **extra: Any) -> dict[str, Any]:
    """One detail entry; ``extra`` keys (column, limit, setting) appear only when set.
    ``msg`` is English; ``key`` and ``params`` let a handler say it in another language."""
    entry: dict[str, Any] = {"loc": list(loc), "msg": msg, "type": kind}
    entry.update({name: value for name, value in extra.items() if value is not None})
    if key is not None:
        entry[_KEY], entry[_PARAMS] = key, params or {}
    return entry


def localized(items: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The items as sent: ``msg`` in ``lang`` where it has a key, the key itself dropped."""
    sent = []
    for entry in items:
        entry = dict(entry)
        key, params = entry.pop(_KEY, None), entry.pop(_PARAMS, {})
        if key is not None and lang != i18n.DEFAULT:
            entry["msg"] = i18n.message(lang, key, params) or entry["msg"]
        sent.append(entry)
    return sent


def request_language(request: Request) -> str:
    return i18n.negotiate(request.query_params.get("lang"),
                          request.headers.get("accept-language"))


def limit_error(loc: Loc, msg: str, *, limit: int, setting: str,
                column: int | None = None, key: str | None = None,
                params: dict[str, object] | None = None) -> ApiError:
    return ApiError(422, [item(loc, msg, "limit_exceeded", limit=limit, setting=setting,
                               column=column, key=key, params=params)])


def too_large(size: int | None, limit: int, loc: Loc = ("body",)) -> dict[str, Any]:
    """The 413 item; ``size`` is None when the body came without a length."""
    setting = Settings.env_name("max_body_bytes")
    said = f"{size} bytes" if size is not None else f"more than {limit} bytes"
    return item(loc, f"the request is {said}; the limit is {limit} ({setting})",
                "body_too_large", limit=limit, setting=setting)


def not_found(loc: Loc, msg: str) -> ApiError:
    return ApiError(404, [item(loc, msg, "not_found")])


def field_loc(root: Loc, field: str | None) -> list[str | int]:
    """``optimizers.1.hyperparameters.lr`` under ``("body",)`` → body/optimizers/1/…"""
    parts = field.split(".") if field else []
    return [*root, *(int(part) if part.isdigit() else part for part in parts)]


@contextmanager
def located(*root: str | int) -> Iterator[None]:
    """Report engine errors raised inside as 422s placed under ``root`` (e.g. "body")."""
    try:
        yield
    except engine.EngineError as err:
        raise ApiError(422, [item(field_loc(root, err.field), err.message, "value_error",
                                  column=err.column, key=err.key,
                                  params=err.params)]) from None


_PYDANTIC_KEYS: dict[str, tuple[str, dict[str, str]]] = {
    "greater_than_equal": ("error.input.ge", {"ge": "ge"}),
    "greater_than": ("error.input.gt", {"gt": "gt"}),
    "less_than_equal": ("error.input.le", {"le": "le"}),
    "less_than": ("error.input.lt", {"lt": "lt"}),
    "finite_number": ("error.input.finite", {}),
    "float_parsing": ("error.input.number", {}),
    "float_type": ("error.input.number", {}),
    "int_parsing": ("error.input.integer", {}),
    "int_type": ("error.input.integer", {}),
    "int_from_float": ("error.input.integer", {}),
    "bool_parsing": ("error.input.bool", {}),
    "bool_type": ("error.input.bool", {}),
    "missing": ("error.input.missing", {}),
    "extra_forbidden": ("error.input.extra", {}),
    "literal_error": ("error.input.literal", {"expected": "expected"}),
    "too_short": ("error.input.too_short", {"min_length": "count", "actual_length": "actual"}),
    "too_long": ("error.input.too_long", {"max_length": "count", "actual_length": "actual"}),
    "string_too_long": ("error.input.string_too_long", {"max_length": "count"}),
}
"""Pydantic's error types a person meets, with the message keys that say them in every
language (its own messages are English only) and, for each value of its context a message
quotes, the placeholder it fills. A length is the ``count`` its plural wording follows."""


def _key_and_params(error: Mapping[str, Any]) -> tuple[str | None, dict[str, object]]:
    key, quoted = _PYDANTIC_KEYS.get(str(error.get("type")), (None, {}))
    ctx = error.get("ctx") or {}
    return key, {param: ctx[name] for name, param in quoted.items() if name in ctx}


def validation_items(errors: Sequence[Any], prefix: Loc = ()) -> list[dict[str, Any]]:
    """Pydantic's errors without the echoed input, which may hold NaN or megabytes."""
    items = []
    for error in errors:
        msg = str(error.get("msg", "invalid value"))
        if error.get("type") == "json_invalid" and "error" in (error.get("ctx") or {}):
            msg = f"{msg}: {error['ctx']['error']}"
        key, params = _key_and_params(error)
        items.append(item([*prefix, *error.get("loc", ())], msg,
                          str(error.get("type", "value_error")), key=key, params=params))
    return items


def json_error(status: int, items: list[dict[str, Any]],
               headers: dict[str, str] | None = None) -> Response:
    return Response(dumps({"detail": items}), status_code=status, headers=headers,
                    media_type="application/json")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return json_error(exc.status, localized(exc.items, request_language(request)), exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return json_error(422, localized(validation_items(exc.errors()), request_language(request)))


def _unreadable_body(request: Request, cause: BaseException) -> str:
    """Why FastAPI could not parse a body it reads as JSON, for a person."""
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        return (f"the body is compressed (Content-Encoding: {encoding}); send plain JSON "
                f"text, which the server does not need compressed")
    if isinstance(cause, UnicodeDecodeError):
        return f"the body is not UTF-8 text (byte {cause.start + 1} is not valid UTF-8)"
    if isinstance(cause, RecursionError):
        return "the JSON is nested too deeply to read"
    return "the body could not be read as JSON"


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors: no such route, method not allowed — and FastAPI's 400 for a
    body it could not even decode (not UTF-8, nested thousands deep, compressed), which is
    malformed JSON like any other: the API promises 422 ``json_invalid`` for that."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 400 and exc.__cause__ is not None:
        return json_error(422, [item(["body"], _unreadable_body(request, exc.__cause__),
                                     "json_invalid")])
    kind = "not_found" if exc.status_code == 404 else "http_error"
    return json_error(exc.status_code, [item([], str(exc.detail), kind)], exc.headers)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error in %s %s", request.method, request.url.path)
    return json_error(500, [item([], "internal error; the server log has the details",
                                 "internal_error")])


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the shape above."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
