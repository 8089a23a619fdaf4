"""Split typed text into tokens, refusing anything outside the formula language.

Tokens are produced lazily so that the first mistake *in reading order* is the one
reported: in ``__import__('os')`` the student hears about ``__import__`` (column 1), not
about the quote further right. Every refusal names the character and its 1-based column.
"""

from __future__ import annotations

import keyword
import math
from collections.abc import Iterator
from dataclasses import dataclass

from descentlab.engine.errors import EngineError, keyed

NUMBER = "number"
NAME = "name"
OPERATOR = "operator"
LPAREN = "("
RPAREN = ")"
COMMA = ","
END = "end"

_SPACE = " \t\r\n"
_SINGLE = {"+": OPERATOR, "-": OPERATOR, "/": OPERATOR, "^": OPERATOR,
           "(": LPAREN, ")": RPAREN, ",": COMMA}

# Characters a student may reasonably type: why each is refused (the message key's last part
# and the English reason; a character sharing a reason shares its message).
_REFUSED = {
    "=": ("assign", "an expression cannot assign or compare: type only the formula, "
                    "e.g. x**2 + y**2"),
    "<": ("compare", "comparisons are not supported"),
    ">": ("compare", "comparisons are not supported"),
    "!": ("factorial", "comparisons and factorials are not supported"),
    ";": ("semicolon", "type a single expression, without ';'"),
    ":": ("colon", "lambdas, slices and conditionals are not supported"),
    "%": ("remainder", "the remainder operator '%' is not supported"),
    "@": ("matmul", "the matrix product '@' is not supported"),
    "&": ("bitwise", "bitwise operators are not supported"),
    "|": ("bar", "bitwise operators are not supported: write abs(x) for |x|"),
    "~": ("bitwise", "bitwise operators are not supported"),
    "[": ("brackets", "brackets are not supported: use ( ) for grouping"),
    "]": ("brackets", "brackets are not supported: use ( ) for grouping"),
    "{": ("braces", "braces are not supported: use ( ) for grouping"),
    "}": ("braces", "braces are not supported: use ( ) for grouping"),
    "'": ("string", "strings are not supported"),
    '"': ("string", "strings are not supported"),
    "#": ("comment", "comments are not supported"),
    ".": ("dot", "attribute access is not supported (a '.' may only appear inside a number)"),
    "\\": ("backslash", "backslashes are not supported: type sqrt(x), not \\sqrt{{x}}"),
}
_LOOKALIKES = {"−": "-", "–": "-", "×": "*", "·": "*", "÷": "/", "²": "**2", "³": "**3",
               "π": "pi", "√": "sqrt(...)"}


@dataclass(frozen=True)
class Token:
    """One lexeme: its kind, its text as typed, its 1-based column and, for numbers, value."""

    kind: str
    text: str
    column: int
    value: float = 0.0


def tokenize(text: str) -> Iterator[Token]:
    """Yield the tokens of ``text`` left to right, ending with an END token."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        column = i + 1
        if ch in _SPACE:
            i += 1
        elif ch.isascii() and (ch.isdigit() or (ch == "." and _digit_at(text, i + 1))):
            end = _number_end(text, i)
            yield _number(text, i, end)
            i = end
        elif ch.isascii() and (ch.isalpha() or ch == "_"):
            end = i
            while end < n and text[end].isascii() and (text[end].isalnum() or text[end] == "_"):
                end += 1
            word = text[i:end]
            if keyword.iskeyword(word):
                raise _refused("keyword", "'{word}' at column {column} is a Python keyword; "
                               "only formulas are allowed here", column, word=word)
            yield Token(NAME, word, column)
            i = end
        elif ch == "*":
            double = text.startswith("**", i)
            yield Token(OPERATOR, "**" if double else "*", column)
            i += 2 if double else 1
        elif ch == "/" and text.startswith("//", i):
            raise _refused("floor_division", "'//' at column {column} is not supported: use / "
                           "for division", column)
        elif ch in _SINGLE:
            yield Token(_SINGLE[ch], ch, column)
            i += 1
        else:
            raise _refusal(ch, column)
    yield Token(END, "", n + 1)


def _refused(key: str, template: str, column: int, **params: object) -> EngineError:
    """The refusal ``expression.{key}`` of what is at ``column``."""
    return keyed(f"expression.{key}", template, field="expression", column=column, **params)


def _refusal(ch: str, column: int) -> EngineError:
    """The error for a character that has no place in a formula."""
    if ch in _REFUSED:
        reason, text = _REFUSED[ch]
        shown = f'"{ch}"' if ch == "'" else f"'{ch}'"
        return _refused(f"refused_{reason}", "{char} at column {column} is not allowed: "
                        + text, column, char=shown)
    if ch in _LOOKALIKES:
        return _refused("lookalike", "'{char}' at column {column} is not allowed: type "
                        "{instead} instead", column, char=ch, instead=_LOOKALIKES[ch])
    if not ch.isascii():
        return _refused("not_ascii", "character '{char}' (U+{code}) at column {column} is "
                        "not allowed: use plain ASCII letters, digits and + - * / ^ ( )",
                        column, char=ch, code=f"{ord(ch):04X}")
    return _refused("character", "character {char} at column {column} is not allowed", column,
                    char=repr(ch))


def _digit_at(text: str, i: int) -> bool:
    return i < len(text) and text[i].isascii() and text[i].isdigit()


def _digits_end(text: str, i: int) -> int:
    while _digit_at(text, i):
        i += 1
    return i


def _number_end(text: str, i: int) -> int:
    """End of the decimal literal at ``i``: digits, an optional fraction and exponent."""
    i = _digits_end(text, i)
    if i < len(text) and text[i] == ".":
        i = _digits_end(text, i + 1)
    if i < len(text) and text[i] in "eE":
        j = i + 1
        if j < len(text) and text[j] in "+-":
            j += 1
        if _digit_at(text, j):
            i = _digits_end(text, j)
    return i


def _number(text: str, start: int, end: int) -> Token:
    """The NUMBER token for text[start:end], refusing implicit products and overflow."""
    literal = text[start:end]
    column = start + 1
    if end < len(text) and text[end] == "_":
        raise _refused("digit_separator", "'_' at column {column} is not allowed: write "
                       "numbers without digit separators", end + 1)
    if end < len(text) and text[end].isascii() and text[end].isalpha():
        word_end = end
        while word_end < len(text) and text[word_end].isascii() and text[word_end].isalnum():
            word_end += 1
        word = text[end:word_end]
        raise _refused("implicit_product", "write {literal}*{word}, not {literal}{word} "
                       "(column {column})", column, literal=literal, word=word)
    value = float(literal)
    if not math.isfinite(value):
        raise _refused("number_too_large", "number '{literal}' at column {column} is too "
                       "large", column, literal=literal)
    return Token(NUMBER, literal, column, value)
