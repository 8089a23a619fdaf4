"""The one exception the engine raises for bad input.

Callers (the server, the CLI, a notebook) need to know *which* input was wrong, so the
error carries the dotted path of the offending field and, for expressions, the column.
The common errors also carry a message ``key`` and its ``params``: the engine speaks
English, and the server renders the same error in the reader's language from them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

T = TypeVar("T")


class EngineError(ValueError):
    """Bad input to the engine, with a message a student can act on."""

    def __init__(self, message: str, *, field: str | None = None, column: int | None = None,
                 key: str | None = None, params: Mapping[str, object] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.column = column
        self.key = key
        self.params = dict(params or {})

    def at(self, prefix: str) -> EngineError:
        """The same error, its field path placed under ``prefix`` (e.g. ``optimizers.2``)."""
        field = prefix if self.field is None else f"{prefix}.{self.field}"
        return EngineError(self.message, field=field, column=self.column, key=self.key,
                           params=self.params)


def keyed(key: str, template: str, *, field: str | None = None, column: int | None = None,
          **params: object) -> EngineError:
    """An error said from its message template: the English text filled in here, and the key
    and values with which the server says it in another language. ``template`` is the English
    message under ``key`` in the message catalogues (a test holds the two equal); a column
    is one of its values too."""
    values = {**params, **({} if column is None else {"column": column})}
    return EngineError(template.format(**values), field=field, column=column, key=key,
                       params=values)


def lookup(table: Mapping[str, T], key: str, kind: str, field: str = "id") -> T:
    """``table[key]``, or an error that names every valid key: a typo is fixed at a glance."""
    try:
        return table[key]
    except (KeyError, TypeError):
        choices = ", ".join(table)
        raise EngineError(f"unknown {kind} '{key}'; choose one of: {choices}", field=field,
                          key="error.unknown_id",
                          params={"kind": kind, "id": key, "choices": choices}) from None
