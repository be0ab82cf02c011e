"""CloudWatch Logs filter patterns (what a subscription filter delivers), for the local runtime's log delivery.

Two forms, as CloudWatch Logs reads them:

- JSON patterns `{ <expression> }` over log events that are JSON objects: selectors `$.a.b` / `$.list[0]`,
  comparisons `=` `!=` with a "string" (where `*` is a wildcard) or a bare word, `=` `!=` `<` `<=` `>` `>=` with
  a number, `IS NULL`, `NOT EXISTS`, `IS TRUE`, `IS FALSE`, combined with `&&`, `||` and parentheses.
- Term patterns: every term must appear (`ERROR Exception`, "quoted phrase"), `?a ?b` any of them, `-term` none
  of them; the empty pattern matches everything.

Anything else (space-delimited `[...]` patterns, regular expressions) raises `FilterPatternError` when parsed,
so a pattern the runtime cannot apply is an error at start, never a silent "match all".
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Callable
from typing import Any

Matcher = Callable[[Any], bool]
_MISSING = object()
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<op>&&|\|\||!=|<=|>=|=|<|>|\(|\)|\{|\})
    | (?P<selector>\$(?:\.[A-Za-z0-9_@-]+|\[\d+\])+)
    | (?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(?![A-Za-z_])
    | (?P<word>[A-Za-z_*][A-Za-z0-9_.*:/@-]*)
    )""",
    re.VERBOSE,
)


class FilterPatternError(ValueError):
    """A pattern this implementation cannot apply; the message quotes it."""


class FilterPattern:
    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        text = pattern.strip()
        if text.startswith("{"):
            self._matcher = _JsonParser(text).parse()
            self.json = True
        elif text.startswith("[") or text.startswith("%"):
            raise FilterPatternError(f"space-delimited and regular-expression patterns are not supported: {pattern}")
        else:
            self._matcher = _terms(text)
            self.json = False

    def matches(self, message: str) -> bool:
        if not self.json:
            return self._matcher(message)
        try:
            document = json.loads(message)
        except ValueError:
            return False
        return isinstance(document, dict) and self._matcher(document)


def _terms(text: str) -> Matcher:
    terms = [t[1:-1] if t.startswith('"') else t for t in re.findall(r'[?-]?"[^"]*"|\S+', text)]
    if not terms:
        return lambda _message: True
    anyof = [t[1:].strip('"') for t in terms if t.startswith("?")]
    exclude = [t[1:].strip('"') for t in terms if t.startswith("-")]
    required = [t.strip('"') for t in terms if not t.startswith(("?", "-"))]

    def match(message: str) -> bool:
        if any(term in message for term in exclude):
            return False
        if anyof and not any(term in message for term in anyof):
            return False
        return all(term in message for term in required)

    return match


class _JsonParser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        position = 0
        while position < len(text):
            if text[position:].strip() == "":
                break
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                raise FilterPatternError(f"cannot read {text[position:]!r} in the filter pattern {text}")
            kind = match.lastgroup
            assert kind is not None
            self.tokens.append((kind, match.group(kind)))
            position = match.end()
        self.index = 0

    def parse(self) -> Matcher:
        self._expect("{")
        matcher = self._or()
        self._expect("}")
        if self.index != len(self.tokens):
            raise FilterPatternError(f"unexpected {self.tokens[self.index][1]!r} in {self.text}")
        return matcher

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _next(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise FilterPatternError(f"the filter pattern ends too early: {self.text}")
        self.index += 1
        return token

    def _expect(self, value: str) -> None:
        token = self._next()
        if token[1] != value:
            raise FilterPatternError(f"expected {value!r}, found {token[1]!r} in {self.text}")

    def _or(self) -> Matcher:
        left = self._and()
        while self._peek() == ("op", "||"):
            self.index += 1
            right = self._and()
            left = (lambda a, b: lambda d: a(d) or b(d))(left, right)
        return left

    def _and(self) -> Matcher:
        left = self._term()
        while self._peek() == ("op", "&&"):
            self.index += 1
            right = self._term()
            left = (lambda a, b: lambda d: a(d) and b(d))(left, right)
        return left

    def _term(self) -> Matcher:
        if self._peek() == ("op", "("):
            self.index += 1
            inner = self._or()
            self._expect(")")
            return inner
        kind, selector = self._next()
        if kind != "selector":
            raise FilterPatternError(f"expected a selector ($.field), found {selector!r} in {self.text}")
        path = _path(selector)
        token = self._next()
        if token[0] == "word" and token[1] in ("IS", "NOT"):
            word = self._next()[1]
            tests: dict[tuple[str, str], Matcher] = {
                ("IS", "NULL"): lambda v: v is None, ("NOT", "EXISTS"): lambda v: v is _MISSING,
                ("IS", "TRUE"): lambda v: v is True, ("IS", "FALSE"): lambda v: v is False,
            }  # fmt: skip
            check = tests.get((token[1], word))
            if check is None:
                raise FilterPatternError(f"unknown test {token[1]} {word} in {self.text}")
            return lambda d: check(_select(d, path))
        if token[0] != "op" or token[1] not in ("=", "!=", "<", "<=", ">", ">="):
            raise FilterPatternError(f"expected a comparison after {selector}, found {token[1]!r} in {self.text}")
        operator = token[1]
        value_kind, raw = self._next()
        if value_kind == "number":
            number = float(raw)
            comparisons: dict[str, Callable[[float], bool]] = {
                "=": lambda a: a == number, "!=": lambda a: a != number, "<": lambda a: a < number,
                "<=": lambda a: a <= number, ">": lambda a: a > number, ">=": lambda a: a >= number,
            }  # fmt: skip
            compare = comparisons[operator]
            return lambda d: _is_number(value := _select(d, path)) and compare(value)
        if value_kind not in ("string", "word") or operator not in ("=", "!="):
            raise FilterPatternError(f"cannot compare {selector} {operator} {raw} in {self.text}")
        expected = json.loads(raw) if value_kind == "string" else raw
        positive = operator == "="

        def string_match(document: Any) -> bool:
            value = _select(document, path)
            if not isinstance(value, str):
                return False  # absent, null or not a string: neither = nor != holds
            return fnmatch.fnmatchcase(value, expected) == positive

        return string_match


def _path(selector: str) -> list[str | int]:
    return [int(p[1:-1]) if p.startswith("[") else p[1:] for p in re.findall(r"\.[^.\[]+|\[\d+\]", selector[1:])]


def _select(document: Any, path: list[str | int]) -> Any:
    value = document
    for step in path:
        if isinstance(step, int):
            if not isinstance(value, list) or step >= len(value):
                return _MISSING
            value = value[step]
        else:
            if not isinstance(value, dict) or step not in value:
                return _MISSING
            value = value[step]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
