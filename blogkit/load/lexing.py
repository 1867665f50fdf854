"""Pygments' regex lexers, driven faster: the same tokens, found with one pattern per run of rules.

Pygments' `RegexLexer` tries the rules of its current state one at a time, a Python call each,
until one matches: a Python lexer's root state has dozens, so lexing code is most of the time
a post with code takes to render. Here each run of a state's rules is joined into one pattern of
alternatives, `(?:rule1)()|(?:rule2)()|...`, which the regex engine tries in the same order in C.
The first alternative that matches is the rule Pygments would have chosen (alternatives are tried
left to right, and nothing follows them to make one give way to the next), and the empty group
closing it says which rule that was (it is the last group to close: `lastindex`).

What a joined pattern cannot hold stays a step of its own, tried in its place: a rule with a
back-reference (its group numbers would shift), or one whose flags cannot be scoped. A rule's
own flags (`(?i)`, `(?s)` at its start) become a scoped group. A rule whose action reads groups
(`bygroups`, a callback) is matched again alone, so the action sees the match it expects.
Anything but a plain `RegexLexer` (a lexer with its own `get_tokens_unprocessed`, or with
filters) is left to Pygments. Tests compare the tokens with Pygments' own, lexer by lexer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

Match = Callable[[str, int], "re.Match[str] | None"]
Rule = tuple[Match, Any, Any]  # Pygments' (match, action, new state)
# one step: a joined pattern with the rule of each closing group, or one rule alone
Step = tuple[Match, dict[int, Rule] | None, Rule | None]

_UNJOINABLE = re.compile(r"\\[1-9]|\\g<|\(\?P=|\(\?\(")  # group references: numbers shift when joined
_LEADING_FLAGS = re.compile(r"^\(\?([aiLmsux]+)\)")
_SCOPABLE = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s", re.VERBOSE: "x"}
_SCOPE_MASK = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE
# Joining costs compiling the joined patterns, as each state is first entered (Go's one state:
# 4 ms; all 49 of Python's: 0.15 s, of which code visits a few): a token table is joined once this
# process has lexed this many characters with it, about five blocks of code. A site with less code
# of a language never pays.
JOIN_AFTER = 10_000
_join_after: list[float] = [JOIN_AFTER]  # this process's threshold (`join_after`)


def join_after(chars: float) -> None:
    """Join a token table once this process has lexed `chars` characters with it (`math.inf`: never).
    `serve`'s worker for edits never does: one save would pay the compiling (up to 0.15 s) that a
    build spreads over thousands of posts."""
    _join_after[0] = chars


class _Table:
    """One lexer class's token table, the characters lexed with it, and its states' steps once joined."""

    def __init__(self, tokendefs: dict[str, Any]) -> None:
        self.tokendefs = tokendefs
        self.lexed = 0
        self.steps: dict[str, list[Step]] = {}

    def of(self, state: str) -> list[Step]:
        found = self.steps.get(state)
        if found is None:
            found = self.steps[state] = _steps(self.tokendefs[state])
        return found


_TABLES: dict[int, _Table] = {}  # by the id of the token table


def tokens(lexer: Lexer, code: str) -> Iterable[tuple[_TokenType, str]]:
    """The (token type, text) pairs of `lexer.get_tokens(code)`."""
    prepare = getattr(lexer, "_preprocess_lexer_input", None)  # what `get_tokens` does to the text first
    if type(lexer).get_tokens_unprocessed is not RegexLexer.get_tokens_unprocessed or lexer.filters or prepare is None:
        return lexer.get_tokens(code)
    table = _table(lexer._tokens)  # type: ignore[attr-defined]
    if table.lexed < _join_after[0]:
        table.lexed += len(code)
        return lexer.get_tokens(code)
    return ((ttype, value) for _, ttype, value in _unprocessed(lexer, table, prepare(code)))


def _table(tokendefs: dict[str, Any]) -> _Table:
    table = _TABLES.get(id(tokendefs))
    if table is None or table.tokendefs is not tokendefs:
        table = _TABLES[id(tokendefs)] = _Table(tokendefs)
    return table


def _unprocessed(lexer: Any, table: _Table, text: str) -> Iterator[tuple[int, _TokenType, str]]:
    """`RegexLexer.get_tokens_unprocessed`, each state's rules tried as the steps of `_steps`."""
    states = table.of
    pos = 0
    stack = ["root"]
    steps = states("root")
    while True:
        for match, rules, alone in steps:
            m = match(text, pos)
            if m:
                rule = alone or rules[m.lastindex]  # type: ignore[index]
                if alone is None and rule[1] is not None and type(rule[1]) is not _TokenType:
                    m = rule[0](text, pos)  # the action reads the rule's own groups
                break
        else:
            if pos >= len(text):
                return
            if text[pos] == "\n":  # at the end of a line, back to the root state
                stack = ["root"]
                steps = states("root")
                yield pos, Whitespace, "\n"
            else:
                yield pos, Error, text[pos]
            pos += 1
            continue
        _, action, new_state = rule
        if action is not None:
            if type(action) is _TokenType:
                yield pos, action, m.group()  # type: ignore[union-attr]
            else:
                yield from action(lexer, m)
        pos = m.end()  # type: ignore[union-attr]
        if new_state is not None:
            _enter(stack, new_state)
            steps = states(stack[-1])


def _enter(stack: list[str], new_state: Any) -> None:
    """Pygments' state transitions, as `RegexLexer.get_tokens_unprocessed` makes them."""
    if isinstance(new_state, tuple):
        for state in new_state:
            if state == "#pop":
                if len(stack) > 1:
                    stack.pop()
            elif state == "#push":
                stack.append(stack[-1])
            else:
                stack.append(state)
    elif isinstance(new_state, int):
        if abs(new_state) >= len(stack):  # pop, but keep at least one state
            del stack[1:]
        else:
            del stack[new_state:]
    elif new_state == "#push":
        stack.append(stack[-1])
    else:
        raise ValueError(f"wrong state definition: {new_state!r}")


def _steps(rules: list[Rule]) -> list[Step]:
    """A state's rules as steps tried in order: runs of rules joined into one pattern, and rules alone."""
    base = rules[0][0].__self__.flags if rules else 0  # type: ignore[attr-defined]
    steps: list[Step] = []
    run: list[tuple[str, Rule]] = []
    for rule in rules:
        alternative = _alternative(rule[0].__self__, base)  # type: ignore[attr-defined]
        if alternative is None:
            steps.extend(_joined(run, base))
            run = []
            steps.append((rule[0], None, rule))
        else:
            run.append((alternative, rule))
    steps.extend(_joined(run, base))
    return steps


def _joined(run: list[tuple[str, Rule]], base: int) -> list[Step]:
    """A run of rules as one step, or as steps of one rule each when they are too few or cannot be joined."""
    if len(run) > 1:
        try:
            pattern = re.compile("|".join(f"{alternative}()" for alternative, _ in run), base)
        except re.error:
            pass
        else:
            rules: dict[int, Rule] = {}
            group = 0
            for _, rule in run:
                group += rule[0].__self__.groups + 1  # type: ignore[attr-defined]  # the rule's groups, then its closing one
                rules[group] = rule
            return [(pattern.match, rules, None)]
    return [(rule[0], None, rule) for _, rule in run]


def _alternative(compiled: re.Pattern[str], base: int) -> str | None:
    """A rule's pattern as an alternative of a pattern compiled with the `base` flags; None if it cannot be one."""
    if _UNJOINABLE.search(compiled.pattern) or (compiled.flags ^ base) & ~_SCOPE_MASK:
        return None
    pattern = _LEADING_FLAGS.sub("", compiled.pattern, count=1)
    on = "".join(letter for flag, letter in _SCOPABLE.items() if compiled.flags & flag and not base & flag)
    off = "".join(letter for flag, letter in _SCOPABLE.items() if base & flag and not compiled.flags & flag)
    if compiled.flags & re.VERBOSE:
        pattern += "\n"  # a comment on its last line would otherwise take the closing parenthesis
    return f"(?{on}-{off}:{pattern})" if off else f"(?{on}:{pattern})"
