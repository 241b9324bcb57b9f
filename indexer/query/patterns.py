"""Query patterns (`*`, `?`, `[...]`) matched in time linear in the word list, under the deadline.

Why: a pattern used to become a Python regex run over the whole word list in one C call.
Python's engine backtracks, so `*?*?*?…q` (35 characters) tried every way of spreading a
long word over the stars: exponential in the stars, 17.5 s for twelve of them on one
word list, with no deadline check inside the call, and the worker was killed. Here a
pattern is compiled for RE2 (`google-re2`), an automaton that never backtracks: a word is
matched in time proportional to its length times the pattern's at worst, whatever the
pattern. The word list is matched a chunk at a time, and the query's deadline is looked
at between chunks (budget.py), so no one call can outlast it.

The meaning is `fnmatch`'s, which the patterns had before: `*` any run of characters,
`?` one character, `[abc]`, `[a-z]` and `[!abc]` one character of (not of) a class, a `[`
with no `]` after it a plain `[`. A range that runs backwards (`[z-a]`, which Python's
regex engine refused with an error, a 500) is a `QueryError` that names it (a 400).
"""
from __future__ import annotations

import re2

from . import budget
from .request import QueryError

CHUNK = 2048           # words matched between two looks at the deadline
_OPTIONS = re2.Options()
_OPTIONS.log_errors = False       # a refused pattern is our QueryError, not a line on stderr


class PatternError(QueryError):
    """A pattern that cannot mean anything (a class range that runs backwards)."""

    def __init__(self, message: str):
        super().__init__(message, "q")


def _char(c: str) -> str:
    return c if c.isascii() and c.isalnum() else "\\x{%x}" % ord(c)


def _class(body: str, pattern: str) -> str:
    """fnmatch's class body (after `[`, before `]`; a leading `!` negates) as an RE2 class."""
    negate = body.startswith("!")
    if negate:
        body = body[1:]
    items, p = [], 0
    while p < len(body):
        if p + 2 < len(body) and body[p + 1] == "-":
            lo, hi = body[p], body[p + 2]
            if lo > hi:
                raise PatternError(f"the range '{lo}-{hi}' in the pattern '{pattern[:80]}' runs backwards "
                                   f"('{lo}' comes after '{hi}'); write [{hi}-{lo}]")
            items.append(f"{_char(lo)}-{_char(hi)}")
            p += 3
        else:
            items.append(_char(body[p]))
            p += 1
    return ("[^\\n" if negate else "[") + "".join(items) + "]"


def translate(pattern: str) -> str:
    """An fnmatch pattern as RE2 syntax for one word (never crossing a newline)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            if not out or out[-1] != "[^\\n]*":
                out.append("[^\\n]*")
        elif c == "?":
            out.append("[^\\n]")
        elif c == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append(_char("["))
            else:
                out.append(_class(pattern[i:j], pattern))
                i = j + 1
        else:
            out.append(_char(c))
    return "".join(out)


class Pattern:
    """One compiled pattern: which of many words it matches, in linear time, under the deadline."""

    def __init__(self, pattern: str):
        self.pattern = pattern
        body = translate(pattern)
        try:
            # a run of consecutive matching lines (each ends in a newline) per match: one call
            # into RE2 per run, not per word (a call costs microseconds; `*e*` matches thousands)
            self._runs = re2.compile(("(?m)(?:^(?:" + body + ")\n)+").encode("utf-8"), _OPTIONS)
            self._word = re2.compile(("(?s)(?:" + body + ")").encode("utf-8"), _OPTIONS)
        except re2.error as exc:      # no pattern we write should get here; refused by name if one does
            raise PatternError(f"the pattern '{pattern[:80]}' cannot be read ({exc})") from None
        finally:
            # google-re2 keeps the last 128 compiled patterns, each with a DFA of up to 8 MB (past
            # that RE2 runs its NFA, still linear): a client sending new patterns would fill it.
            # A query's patterns live as long as the query.
            re2.purge()

    def fullmatch(self, word: str) -> bool:
        return self._word.fullmatch(word.encode("utf-8")) is not None

    def runs(self, text, start: int, end: int):
        """(start, end) byte positions of each run of consecutive matching words in `text[start:end]`
        (UTF-8 words each followed by a newline; `start` at a word's start, `end` after a newline):
        read in place, from a memory-mapped file (typedsets.py) as from bytes."""
        return ((m.start(), m.end()) for m in self._runs.finditer(text, start, end))

    def matching(self, words: list[str], ending: str = "", node=None) -> list[str]:
        """The words that, with `ending` appended, match: each returned with the ending.

        `node` is the query node charged when the deadline passes (budget.too_slow raises).
        """
        found: list[str] = []
        sep = ending + "\n"
        for start in range(0, len(words), CHUNK):
            if node is not None and budget.expired():
                budget.too_slow(node)
            text = (sep.join(words[start:start + CHUNK]) + sep).encode("utf-8")
            for m in self._runs.finditer(text):
                found += m.group()[:-1].decode("utf-8").split("\n")
        return found


class Patterns:
    """Several patterns as one automaton: which of them (the first) a word matches, in one call.

    A snippet checks every word of a story against the query's patterns (highlight.py); a call
    into RE2 costs ~2 µs, so 26 patterns (`a* OR b* OR ...`) checked one by one made a page of
    snippets 0.1 s. One alternation with a group per pattern answers in one call."""

    def __init__(self, patterns: list[str]):
        self.patterns = list(patterns)
        body = "|".join("(" + translate(p) + ")" for p in self.patterns)
        try:
            self._any = re2.compile(("(?s)(?:" + body + ")").encode("utf-8"), _OPTIONS)
        except re2.error as exc:
            raise PatternError(f"the patterns cannot be read ({exc})") from None
        finally:
            re2.purge()

    def which(self, word: str) -> int | None:
        """The index of the first pattern `word` matches, or None."""
        m = self._any.fullmatch(word.encode("utf-8"))
        if m is None:
            return None
        if m.lastindex is not None:
            return m.lastindex - 1
        return next(i for i, g in enumerate(m.groups()) if g is not None)
