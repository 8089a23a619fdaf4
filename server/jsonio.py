"""JSON out: fast (orjson writes numpy arrays directly), deterministic, and never NaN.

Large documents are written piece by piece (see ``dumps``) so that the thread writing them
never holds the interpreter lock for long: one ``orjson.dumps`` of a 55 MB race held it for
100 ms, and ``/healthz`` waited that long.

orjson would silently write NaN and ±Infinity as ``null``. The server wants that to be a
decision, not an accident: every array and float from the engine goes through ``array`` or
``number`` here, which return a numpy array only when every value is finite and otherwise
spell out ``None`` where a value is not finite. Documents made elsewhere (the catalogues)
pass through ``check_finite`` once, and the tests parse every response with a parser that
rejects NaN and Infinity.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import orjson

OPTIONS = orjson.OPT_SERIALIZE_NUMPY


def number(value: float | None) -> float | None:
    """A finite float, or None for NaN, ±Infinity and None."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def array(values: np.ndarray) -> np.ndarray | list:
    """The array as orjson should write it: itself if all finite, else lists with None."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    if finite.all():
        return values
    spelled = values.astype(object)
    spelled[~finite] = None
    return spelled.tolist()


def _refuse(value: Any) -> Any:
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _leaf(value: Any) -> bytes:
    return orjson.dumps(value, option=OPTIONS, default=_refuse)


def _holds_parts(items: list | tuple) -> bool:
    """Whether a list is of documents or arrays (runs, states), judged by its first item:
    the lists that are data (learning rates, spelled-out paths) are written whole."""
    return bool(items) and isinstance(items[0], dict | np.ndarray)


def _write(document: Any, out: list[bytes]) -> None:
    if isinstance(document, dict):
        out.append(b"{")
        for index, (key, value) in enumerate(document.items()):
            if not isinstance(key, str):
                raise TypeError(f"cannot write a {type(key).__name__} key as JSON")
            out.append((b"," if index else b"") + _leaf(key) + b":")
            _write(value, out)
        out.append(b"}")
    elif isinstance(document, list | tuple) and _holds_parts(document):
        out.append(b"[")
        for index, value in enumerate(document):
            if index:
                out.append(b",")
            _write(value, out)
        out.append(b"]")
    else:
        out.append(_leaf(document))


def dumps(document: Any) -> bytes:
    """Serialise a document built from ``array``/``number`` values (and plain data).

    The same bytes as one ``orjson.dumps``, but each array (and each list of plain values)
    is its own call, so the interpreter lock is free between pieces: the event loop
    answers other requests while a worker thread writes a large race.
    """
    out: list[bytes] = []
    _write(document, out)
    return b"".join(out)


def check_finite(document: Any) -> Any:
    """Walk plain data and fail on a non-finite float: for documents not built here."""
    if isinstance(document, float) and not math.isfinite(document):
        raise ValueError(f"non-finite number {document} in a response")
    if isinstance(document, dict):
        for value in document.values():
            check_finite(value)
    elif isinstance(document, list | tuple):
        for value in document:
            check_finite(value)
    return document
