"""Recursive-descent parser from tokens to a ``Node`` tree, with Python's precedence.

Grammar (lowest precedence first; ``^`` is read as ``**``)::

    sum     := product (("+" | "-") product)*
    product := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom ("**" unary)?          # right-associative, tighter than unary minus
    atom    := number | "x" | "y" | "pi" | "e" | function "(" sum ("," sum)* ")"
             | "(" sum ")"

so ``-x**2`` is ``-(x**2)`` and ``2**3**2`` is ``2**(3**2)``, as in Python. The nesting
depth is checked on the way down, before Python's own recursion limit could be reached,
and the node count and tree height as nodes are made.
"""

from __future__ import annotations

from collections.abc import Iterator

from descentlab.engine.errors import EngineError, keyed
from descentlab.engine.expressions import tree as T
from descentlab.engine.expressions.functions import (
    ALIASES,
    CONSTANTS,
    FUNCTIONS,
    VARIABLES,
    known_functions,
)
from descentlab.engine.expressions.tokens import (
    COMMA,
    END,
    LPAREN,
    NAME,
    NUMBER,
    OPERATOR,
    RPAREN,
    Token,
    tokenize,
)

MAX_DEPTH = 32  # parentheses, calls, signs and exponents nested inside each other
MAX_HEIGHT = 250  # levels of the tree, bounding recursion in the compiler and printers


def _error(key: str, template: str, column: int, **params: object) -> EngineError:
    """The refusal ``key`` (``expression.…``), pointing at ``column``."""
    return keyed(f"expression.{key}", template, field="expression", column=column, **params)


class _Parser:
    """State of one parse: the token stream, one token of lookahead and the node count."""

    def __init__(self, text: str, max_nodes: int):
        self.tokens: Iterator[Token] = tokenize(text)
        self.token = next(self.tokens)
        self.previous: Token | None = None
        self.max_nodes = max_nodes
        self.nodes = 0
        self.heights: dict[int, int] = {}

    def advance(self) -> Token:
        token = self.token
        self.previous = token
        self.token = next(self.tokens)
        return token

    def make(self, kind: str, column: int, name: str = "", value: float = 0.0,
             args: tuple[T.Node, ...] = ()) -> T.Node:
        """A new node, counted against the node limit and the height limit."""
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise _error("too_many_parts", "the expression is too long: it has more than "
                         "{limit} parts (numbers, names and operations) by column {column}",
                         column, limit=self.max_nodes)
        height = 1 + max((self.heights[id(a)] for a in args), default=0)
        if height > MAX_HEIGHT:
            raise _error("too_high", "the expression is nested too deeply at column {column} "
                         "(more than {limit} levels)", column, limit=MAX_HEIGHT)
        node = T.Node(kind, column, name, value, args)
        self.heights[id(node)] = height
        return node

    def parse(self) -> T.Node:
        if self.token.kind == END:
            raise _error("empty", "the expression is empty: type a formula in x and y, "
                         "e.g. x**2 + y**2", 1)
        node = self.sum(0)
        if self.token.kind != END:
            raise self.leftover()
        return node

    def sum(self, depth: int) -> T.Node:
        node = self.product(depth)
        while self.token.kind == OPERATOR and self.token.text in "+-":
            op = self.advance()
            node = self.make(T.BINARY, op.column, op.text, args=(node, self.product(depth)))
        return node

    def product(self, depth: int) -> T.Node:
        node = self.unary(depth)
        while self.token.kind == OPERATOR and self.token.text in ("*", "/"):
            op = self.advance()
            node = self.make(T.BINARY, op.column, op.text, args=(node, self.unary(depth)))
        return node

    def unary(self, depth: int) -> T.Node:
        if depth > MAX_DEPTH:
            raise _error("too_deep", "the expression is nested too deeply at column {column} "
                         "(more than {limit} levels of parentheses, functions, signs and "
                         "powers)", self.token.column, limit=MAX_DEPTH)
        if self.token.kind == OPERATOR and self.token.text in "+-":
            op = self.advance()
            operand = self.unary(depth + 1)
            return operand if op.text == "+" else self.make(T.NEG, op.column, args=(operand,))
        base = self.atom(depth)
        if self.token.kind == OPERATOR and self.token.text in ("**", "^"):
            op = self.advance()
            exponent = self.unary(depth + 1)
            return self.make(T.BINARY, op.column, "**", args=(base, exponent))
        return base

    def atom(self, depth: int) -> T.Node:
        token = self.token
        if token.kind == NUMBER:
            self.advance()
            return self.make(T.NUM, token.column, token.text, token.value)
        if token.kind == NAME:
            return self.name(depth)
        if token.kind == LPAREN:
            self.advance()
            inner = self.sum(depth + 1)
            self.close(token)
            return inner
        raise self.missing_value()

    def name(self, depth: int) -> T.Node:
        token = self.advance()
        word = token.text
        if word in VARIABLES:
            return self.make(T.VAR, token.column, word)
        if word in CONSTANTS:
            return self.make(T.CONST, token.column, word)
        if word not in FUNCTIONS:
            if word in ALIASES:
                raise _error("unknown_name_alias", "unknown name '{word}' at column {column} "
                             "(did you mean {alias}?): use x and y, pi, e, or one of the "
                             "functions {functions}", token.column, word=word,
                             alias=ALIASES[word], functions=known_functions())
            raise _error("unknown_name", "unknown name '{word}' at column {column}: use x and "
                         "y, pi, e, or one of the functions {functions}", token.column,
                         word=word, functions=known_functions())
        arity = FUNCTIONS[word].arity
        usage = f"{word}(x)" if arity == 1 else f"{word}(x, y)"
        if self.token.kind != LPAREN:
            raise _error("needs_parentheses", "'{word}' at column {column} is a function: "
                         "write it with parentheses, e.g. {usage}", token.column, word=word,
                         usage=usage)
        paren = self.advance()
        args = [self.sum(depth + 1)]
        while self.token.kind == COMMA:
            self.advance()
            args.append(self.sum(depth + 1))
        self.close(paren)
        if len(args) != arity:
            raise _error("arity", "'{word}' at column {column} takes {count} "
                         + ("argument" if arity == 1 else "arguments")
                         + ", as in {usage}, but was given {given}", token.column, word=word,
                         count=arity, usage=usage, given=len(args))
        return self.make(T.CALL, token.column, word, args=tuple(args))

    def close(self, opening: Token) -> None:
        """Consume the ')' matching ``opening``, or say why it is missing."""
        if self.token.kind == RPAREN:
            self.advance()
            return
        if self.token.kind == END:
            raise _error("unclosed", "unbalanced parenthesis: '(' at column {column} is "
                         "never closed", opening.column)
        raise self.leftover()

    def missing_value(self) -> EngineError:
        """The error for a token found where a number, name or '(' was needed."""
        token, previous = self.token, self.previous
        if token.kind == END and previous is not None:
            return _error("ends_early", "the expression ends too early: '{token}' at column "
                          "{column} needs something after it", previous.column,
                          token=previous.text)
        if previous is not None and previous.kind == LPAREN and token.kind == RPAREN:
            return _error("empty_parentheses", "empty parentheses at column {column}: put a "
                          "value inside", previous.column)
        if previous is None:
            return _error("needs_value_start", "'{token}' at column {column} needs a value "
                          "before it (at the start)", token.column, token=token.text)
        if previous.kind == LPAREN:
            return _error("needs_value_parenthesis", "'{token}' at column {column} needs a "
                          "value before it (after '(')", token.column, token=token.text)
        return _error("cannot_follow", "'{token}' at column {column} cannot follow "
                      "'{previous}': a number, x, y or '(' is missing in between",
                      token.column, token=token.text, previous=previous.text)

    def leftover(self) -> EngineError:
        """The error for a token after a complete value where an operator was needed."""
        token = self.token
        if token.kind == RPAREN:
            return _error("unmatched", "unbalanced parenthesis: ')' at column {column} has "
                          "no matching '('", token.column)
        if token.kind == COMMA:
            return _error("comma", "',' at column {column} is only allowed between the two "
                          "arguments of min(a, b) or max(a, b)", token.column)
        return _error("missing_operator", "missing operator before '{token}' at column "
                      "{column}: write * for multiplication", token.column, token=token.text)


def parse(text: str, max_nodes: int) -> T.Node:
    """The tree of ``text``, or an EngineError naming the first mistake and its column."""
    return _Parser(text, max_nodes).parse()
