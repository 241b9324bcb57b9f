"""The cost budget of one request: caps checked before evaluation, a deadline checked during it.

Why: the cost of a query is not its length. `*qq` scans every word of the title and
body lexicons, `aa* OR ab* …` reads the postings of thousands of words, a phrase of
200 common words checks positions in every story that has them. A cap per pattern
bounds none of this, so a single request could hold a worker for tens of seconds.
Here a query is measured as a whole before any posting is read:

- clauses: leaves of the parsed tree (a word counts once per field it is searched in);
- phrase words: the words of the longest phrase;
- scanned: lexicon words looked at to expand wildcards and prefixes, all patterns together
  (a leading wildcard looks at the whole word list of its field);
- terms: the words all patterns together stand for (each one's postings are read),
  and at most `per_pattern` for any one of them.

Exceeding a cap is a `BudgetError` (a `QueryError`: the web answers 400 naming the cap).
What passes the caps runs under a `Deadline` that the evaluator checks cooperatively
(`expired()`, a thread-local, so no signature changes through the evaluator): work left
when it expires is skipped, the answer holds what was found, and `notice` says so.

Patterns are expanded here once (`expand`), into an `Or` of plain terms that the
evaluator and the highlighter use as they are, instead of each scanning the lexicon again.
"""
from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass

from whoosh import query as wq

from .request import QueryError

_MULTITERM = (wq.Prefix, wq.Wildcard, wq.FuzzyTerm, wq.Regex, wq.TermRange)


@dataclass(frozen=True)
class Budget:
    """The caps of one request. Chosen so that real queries never meet them (see the README)."""
    clauses: int = 256            # leaves of the parsed query (~128 words over title and body)
    phrase_words: int = 64        # words in one phrase: a long sentence and more
    scanned: int = 1_500_000      # lexicon words looked at by all patterns together
    terms: int = 1_024            # words all patterns together stand for (~0.2-0.4 ms each to read)
    per_pattern: int = 1_024      # words one wildcard or prefix may stand for
    seconds: float = 0.25         # parsing and evaluation time before the answer is cut short


ENV_SECONDS = "NEWSFACET_QUERY_SECONDS"      # the deadline, for a slower machine (or tests)
DEFAULT = Budget(seconds=float(os.environ.get(ENV_SECONDS) or Budget.seconds))
HIGHLIGHT_TERMS = 128         # words marked in snippets (of a pattern's many, the first)
CUT_NOTICE = ("this search took too long to finish: the results are what was found in "
              "{seconds:g} s; a more specific query gives complete results")


class BudgetError(QueryError):
    """A query over one of the caps; `cap` names it (the name of the Budget field)."""

    def __init__(self, message: str, cap: str):
        super().__init__(message, "q")
        self.cap = cap


# ---------------------------------------------------------------- the deadline

class Deadline:
    """A point in time after which evaluation stops starting new work."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.cuts = 0             # pieces of work skipped or stopped early

    def expired(self) -> bool:
        if time.monotonic() >= self.at:
            self.cuts += 1
            return True
        return False


_local = threading.local()


class running:
    """`with running(Deadline(s)):` makes it the deadline `expired()` checks in this thread."""

    def __init__(self, deadline: Deadline | None):
        self.deadline = deadline

    def __enter__(self) -> Deadline | None:
        self._saved = getattr(_local, "deadline", None)
        _local.deadline = self.deadline
        return self.deadline

    def __exit__(self, *exc) -> None:
        _local.deadline = self._saved


def expired() -> bool:
    """True once this thread's deadline has passed (never without one)."""
    d = getattr(_local, "deadline", None)
    return d is not None and d.expired()


def cuts() -> int:
    """How many cuts this thread's deadline has made so far (compare before and after a step)."""
    d = getattr(_local, "deadline", None)
    return d.cuts if d is not None else 0


# ---------------------------------------------------------------- caps before evaluation

def check_shape(q, budget: Budget | None = None) -> None:
    """Clauses and phrase length: counted on the parsed tree, before the index is touched."""
    budget = budget or DEFAULT
    leaves = [q] if q.is_leaf() else list(q.leaves())
    if len(leaves) > budget.clauses:
        raise BudgetError(
            f"the query has {len(leaves):,} parts (each word counts once per field searched); "
            f"the limit is {budget.clauses:,} (cap: clauses)", "clauses")
    for leaf in leaves:
        if isinstance(leaf, wq.Phrase) and len(leaf.words) > budget.phrase_words:
            raise BudgetError(
                f"a phrase of {len(leaf.words):,} words; the limit is {budget.phrase_words} "
                "words a phrase (cap: phrase_words)", "phrase_words")


class Lexicons:
    """Each text field's word list as one newline-joined string, per index generation.

    A leading wildcard has no prefix to seek to, so it must look at every word; one
    regular expression over a joined string does that in C (~2 ms for 40,000 words)
    where Whoosh's lexicon iterator costs ~2 µs a word in Python. One string per field:
    a few MB at 200,000 stories, built on first use.
    """

    def __init__(self, reader):
        self.reader = reader
        self._joined: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def joined(self, fieldname: str) -> tuple[str, int]:
        """(words joined by newlines, how many words)."""
        got = self._joined.get(fieldname)
        if got is None:
            with self._lock:
                got = self._joined.get(fieldname)
                if got is None:
                    words = [w.decode("utf-8") for w in self.reader.lexicon(fieldname)]
                    got = self._joined[fieldname] = ("\n".join(words), len(words))
        return got

    def size(self, fieldname: str) -> int:
        return self.joined(fieldname)[1]


def glob_regex(text: str) -> re.Pattern:
    """A glob (`*`, `?`) as a regex matching whole lines of a joined lexicon.

    Like `fnmatch.translate` (Python 3.11), each `*` but the last is an atomic lazy
    group, so a pattern of many stars cannot backtrack exponentially.
    """
    def lit(segment: str) -> str:
        return "".join("[^\n]" if ch == "?" else re.escape(ch) for ch in segment)
    parts = text.split("*")
    if len(parts) == 1:
        body = lit(text)
    else:
        middle = "".join(f"(?>[^\n]*?{lit(p)})" for p in parts[1:-1] if p)
        body = f"{lit(parts[0])}{middle}[^\n]*{lit(parts[-1])}"
    return re.compile(f"^{body}$", re.M)


class _Counter:
    def __init__(self, budget: Budget):
        self.budget = budget
        self.scanned = 0
        self.terms = 0

    def scan(self, n: int) -> None:
        self.scanned += n
        if self.scanned > self.budget.scanned:
            raise BudgetError(
                f"the wildcards and prefixes of this query would look through more than "
                f"{self.budget.scanned:,} words; the limit is {self.budget.scanned:,} "
                "(cap: scanned). A pattern that starts with letters (oil*, not *oil) looks at far fewer",
                "scanned")

    def term(self, node, n: int) -> None:
        if n > self.budget.per_pattern:
            raise BudgetError(f"'{node}' stands for more than {self.budget.per_pattern:,} words; "
                              "give a few more letters (cap: per_pattern)", "per_pattern")
        self.terms += 1
        if self.terms > self.budget.terms:
            raise BudgetError(
                f"the wildcards and prefixes of this query stand for more than {self.budget.terms:,} "
                f"words together; the limit is {self.budget.terms:,} (cap: terms)", "terms")


def _pattern_terms(reader, lexicons: Lexicons, node, counter: _Counter):
    """The indexed words (bytes) one pattern stands for, counted against the budget."""
    field = node.fieldname
    if isinstance(node, wq.Prefix):
        for n, btext in enumerate(reader.expand_prefix(field, node.text), 1):
            counter.scan(1)
            counter.term(node, n)
            yield btext
        return
    if isinstance(node, wq.Wildcard) and "[" not in node.text:
        prefix = re.split(r"[*?\[]", node.text, maxsplit=1)[0]    # the letters before the first wildcard
        if not prefix:      # the whole word list: charged up front, then one regex in C
            joined, size = lexicons.joined(field)
            counter.scan(size)
            n = 0
            for m in glob_regex(node.text).finditer(joined):
                n += 1
                counter.term(node, n)
                yield m.group().encode("utf-8")
            return
        rx = glob_regex(node.text)
        n = 0
        for btext in reader.expand_prefix(field, prefix):
            counter.scan(1)
            if rx.match(btext.decode("utf-8")):
                n += 1
                counter.term(node, n)
                yield btext
        return
    n = 0                   # ranges, fuzzy, regex, sets: Whoosh's own expansion, every word counted
    for btext in node._btexts(reader):
        counter.scan(1)
        n += 1
        counter.term(node, n)
        yield btext


def expand(reader, q, lexicons: Lexicons, budget: Budget | None = None):
    """`q` with every wildcard and prefix replaced by an Or of the words it stands for.

    Raises BudgetError as soon as the patterns together go over a cap. Each word keeps
    the pattern's boost, so scores are what the evaluator gave the pattern itself.
    """
    counter = _Counter(budget or DEFAULT)

    def fix(node):
        if isinstance(node, _MULTITERM) and node.fieldname in reader.schema:
            field = node.fieldname
            words = list(_pattern_terms(reader, lexicons, node, counter))
            return wq.Or([wq.Term(field, w, boost=node.boost) for w in words])   # [] matches nothing
        return node.apply(fix) if not node.is_leaf() else node
    return fix(q)
