r"""A small, safe expression language for conclusions tested in every draw of a sweep.

A conclusion is a statement about the headline measures of the scenarios, for example::

    "Centralised".q1_mean_min - "Status quo".q1_mean_min
        > "Centralised".q5_mean_min - "Status quo".q5_mean_min

("centralising raises the most deprived quintile's mean more than the least deprived's").
The text is parsed by :func:`parse_expression` into a tree and evaluated by
:func:`evaluate` on arrays (one value per draw); nothing is passed to Python's ``eval``.

Grammar (whitespace is free; ``and``, ``or``, ``not`` and ``abs`` are the only words)::

    statement  := conjunct ("or" conjunct)*
    conjunct   := negation ("and" negation)*
    negation   := "not" negation | comparison
    comparison := sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum        := product (("+" | "-") product)*
    product    := unary (("*" | "/") unary)*
    unary      := "-" unary | atom
    atom       := NUMBER | "\\"scenario\\"" "." measure | "abs" "(" sum ")" | "(" statement ")"

A statement must end in a comparison or a logical operation (a bare number is refused). A
comparison involving a missing value (``NaN``, e.g. a quintile without reachable demand)
is false in that draw.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ScenarioError

Node = tuple[Any, ...]
Lookup = Callable[[str, str], np.ndarray]

_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)"
    r"|(?P<str>\"[^\"]*\")|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><=|>=|==|!=|[<>+\-*/().]))"
)
_COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
            "==": operator.eq, "!=": operator.ne}
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ScenarioError(
                f"cannot read the conclusion at {text[pos:pos + 12]!r} (character {pos + 1})."
            )
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _tokens(text)
        self.i = 0
        self.text = text

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self, value: str | None = None) -> tuple[str, str]:
        tok = self.peek()
        if tok is None or (value is not None and tok[1] != value):
            got = "the end" if tok is None else repr(tok[1])
            raise ScenarioError(f"expected {value or 'more'} but found {got} in {self.text!r}.")
        self.i += 1
        return tok

    def is_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "name" and tok[1] == word

    def statement(self) -> Node:
        node = self.conjunct()
        while self.is_word("or"):
            self.take()
            node = ("or", node, self.conjunct())
        return node

    def conjunct(self) -> Node:
        node = self.negation()
        while self.is_word("and"):
            self.take()
            node = ("and", node, self.negation())
        return node

    def negation(self) -> Node:
        if self.is_word("not"):
            self.take()
            return ("not", self.negation())
        return self.comparison()

    def comparison(self) -> Node:
        left = self.sum()
        tok = self.peek()
        if tok is not None and tok[0] == "op" and tok[1] in _COMPARE:
            self.take()
            return ("cmp", tok[1], left, self.sum())
        return left

    def sum(self) -> Node:
        node = self.product()
        while (tok := self.peek()) is not None and tok[1] in ("+", "-") and tok[0] == "op":
            self.take()
            node = ("arith", tok[1], node, self.product())
        return node

    def product(self) -> Node:
        node = self.unary()
        while (tok := self.peek()) is not None and tok[1] in ("*", "/") and tok[0] == "op":
            self.take()
            node = ("arith", tok[1], node, self.unary())
        return node

    def unary(self) -> Node:
        tok = self.peek()
        if tok is not None and tok == ("op", "-"):
            self.take()
            return ("neg", self.unary())
        return self.atom()

    def atom(self) -> Node:
        kind, value = self.take()
        if kind == "num":
            return ("num", float(value))
        if kind == "str":
            self.take(".")
            mkind, measure = self.take()
            if mkind != "name":
                raise ScenarioError(f"expected a measure name after {value}. in {self.text!r}.")
            return ("ref", value[1:-1], measure)
        if kind == "name" and value == "abs":
            self.take("(")
            inner = self.sum()
            self.take(")")
            return ("abs", inner)
        if (kind, value) == ("op", "("):
            inner = self.statement()
            self.take(")")
            return inner
        raise ScenarioError(
            f"unexpected {value!r} in {self.text!r}: write measures as \"Scenario name\".measure."
        )


def _is_logical(node: Node) -> bool:
    return node[0] in ("cmp", "and", "or", "not")


def parse_expression(text: str) -> Node:
    """Parse a conclusion into a tree of tuples.

    Raises
    ------
    ScenarioError
        If the text does not follow the grammar of the module docstring or is not a
        statement (a comparison or a logical combination of comparisons).
    """
    if not isinstance(text, str) or not text.strip():
        raise ScenarioError("a conclusion must be a non-empty expression.")
    p = _Parser(text)
    node = p.statement()
    if p.peek() is not None:
        raise ScenarioError(f"unexpected {p.peek()[1]!r} in {text!r}.")  # type: ignore[index]
    if not _is_logical(node) or not _operands_ok(node):
        raise ScenarioError(
            f"{text!r} is not a statement: compare two quantities (e.g. \"A\".mean_min > \"B\".mean_min)."
        )
    return node


def _operands_ok(node: Node) -> bool:
    """Return whether logical nodes combine statements and comparisons combine numbers."""
    if node[0] in ("and", "or"):
        return all(_is_logical(n) and _operands_ok(n) for n in node[1:])
    if node[0] == "not":
        return _is_logical(node[1]) and _operands_ok(node[1])
    if node[0] == "cmp":
        return not _is_logical(node[2]) and not _is_logical(node[3])
    return True


def references(node: Node) -> set[tuple[str, str]]:
    """Return every ``(scenario, measure)`` the expression reads."""
    if node[0] == "ref":
        return {(node[1], node[2])}
    out: set[tuple[str, str]] = set()
    for child in node[1:]:
        if isinstance(child, tuple):
            out |= references(child)
    return out


def evaluate(node: Node, lookup: Lookup) -> np.ndarray:
    """Evaluate a parsed expression; ``lookup(scenario, measure)`` gives one value per draw."""
    tag = node[0]
    if tag == "num":
        return np.asarray(node[1], dtype=float)
    if tag == "ref":
        return np.asarray(lookup(node[1], node[2]), dtype=float)
    if tag == "neg":
        return -evaluate(node[1], lookup)
    if tag == "abs":
        return np.abs(evaluate(node[1], lookup))
    if tag == "arith":
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(_ARITH[node[1]](evaluate(node[2], lookup), evaluate(node[3], lookup)))
    if tag == "cmp":
        a, b = evaluate(node[2], lookup), evaluate(node[3], lookup)
        with np.errstate(invalid="ignore"):
            out = _COMPARE[node[1]](a, b)
        return np.asarray(out & np.isfinite(a) & np.isfinite(b), dtype=bool)
    if tag == "not":
        return ~evaluate(node[1], lookup)
    if tag == "and":
        return evaluate(node[1], lookup) & evaluate(node[2], lookup)
    if tag == "or":
        return evaluate(node[1], lookup) | evaluate(node[2], lookup)
    raise ScenarioError(f"unknown expression node {tag!r}")
