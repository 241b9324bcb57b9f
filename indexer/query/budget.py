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
  and at most `per_pattern` for any one of them, where they are read word by word from
  Whoosh (a generation without words-as-typed postings: typedsets.py);
- postings: where they are not, the postings of the patterns past SCORED_WORDS, each the set
  of stories holding one of its words at constant score (expansion.PatternDocs): a union of
  slices of the mapped postings, ~5-10 ns a posting, so the cap is on postings, not words.

Exceeding a cap is a `BudgetError` (a `QueryError`: the web answers 400 naming the cap).
What passes the caps runs under a `Deadline` that the evaluator checks cooperatively
(`expired()`, a thread-local, so no signature changes through the evaluator): work left
when it expires is skipped, the answer holds what was found, and `notice` says so.

Patterns are expanded once (`semantics.expand_patterns`) into an `Or` of the words they
stand for, or past SCORED_WORDS into the set of stories holding one (`PatternDocs`), which
the evaluator and the highlighter use as they are; `check_scan` charges what that will look
through before it starts, `check_terms` what it found.

Every form of query runs under the deadline, none through Whoosh's own matcher (which has
no deadline inside) unless after a check: words, phrases and patterns as above, `field:*`
on a field of values from the generation's tables (parse.present_values), date ranges
over the date column (arrays.py); tests/reliability/test_every_form_budgeted.py.
"""
from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass

from whoosh.fields import TEXT

from indexer.index.typed import typed_field
from . import operators
from .request import QueryError


@dataclass(frozen=True)
class Budget:
    """The caps of one request. Chosen so that real queries never meet them (see the README)."""
    clauses: int = 256            # leaves of the parsed query (~128 words over title and body)
    phrase_words: int = 64        # words in one phrase: a long sentence and more
    scanned: int = 1_500_000      # lexicon words looked at by all patterns together
    terms: int = 1_024            # words all patterns together stand for, read from Whoosh (~0.14 ms each)
    per_pattern: int = 1_024      # words one wildcard or prefix may stand for, read from Whoosh
    postings: int = 16_000_000    # postings of the constant-score patterns together (~0.1 s to unite)
    seconds: float = 0.2          # expanding and evaluation time before the answer is cut short


ENV_SECONDS = "NEWSFACET_QUERY_SECONDS"      # the deadline, for a slower machine (or tests)
DEFAULT = Budget(seconds=float(os.environ.get(ENV_SECONDS) or Budget.seconds))
HIGHLIGHT_TERMS = 128         # words marked in snippets (a pattern counts as one: it marks its words itself)
# With words-as-typed postings (typedsets.py), the query's patterns are scored word by word (BM25F,
# ~0.14 ms a word read from Whoosh) while together they stand for at most this many words holding
# at most this many postings (a common word's postings cost more); past that a pattern is the set
# of stories holding one of its words, at constant score, as Lucene rewrites a multi-term query.
SCORED_WORDS = 256
SCORED_POSTINGS = 200_000
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


def too_slow(node) -> None:
    """A pattern whose expansion outlasted the deadline: refused (a part of its words would be wrong)."""
    raise BudgetError(f"'{node}' stands for too many words to look through in time; give a few more "
                      "letters before the wildcard (cap: seconds)", "seconds")


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
        words = operators.of(leaf).budget(leaf).phrase_words
        if words > budget.phrase_words:
            raise BudgetError(
                f"a phrase of {words:,} words; the limit is {budget.phrase_words} "
                "words a phrase (cap: phrase_words)", "phrase_words")


class Lexicons:
    """How many words each text field's word list holds, counted once per index generation.

    A leading wildcard (`*port`) has no letters to seek to, so its expansion walks the
    field's whole word list; that length is what `check_scan` charges it. Reading it
    walks the list once (~1 s at 215,780 stories, 12 segments), so a serving process
    does it while warming a generation (search.Archive._warm), and keeps the words.
    """

    def __init__(self, reader, typed=None):
        self.reader, self.typed = reader, typed
        self._words: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def size(self, fieldname: str) -> int:
        """With words-as-typed postings (typedsets.py), the words of every segment: what a leading
        wildcard's pattern runs over there, counted from the mapped files without reading a word."""
        if self.typed is not None and self.typed.has(fieldname):
            return self.typed.size(fieldname)
        return len(self.words(fieldname))

    def words(self, fieldname: str) -> list[str]:
        """The field's words, decoded, in order: what a leading wildcard matches against
        (semantics.py runs one regex over them joined, not a check per word)."""
        got = self._words.get(fieldname)
        if got is None:
            with self._lock:
                got = self._words.get(fieldname)
                if got is None:
                    got = self._words[fieldname] = [b.decode("utf-8") if isinstance(b, bytes) else b
                                                    for b in self.reader.lexicon(fieldname)]
        return got


def _patterns(q):
    leaves = [q] if q.is_leaf() else q.leaves()
    return [leaf for leaf in leaves if operators.of(leaf).budget(leaf).scans]


def check_scan(q, lexicons: Lexicons, budget: Budget | None = None) -> None:
    """Refuse patterns that would look through too many words together (cap: scanned).

    A pattern with letters before its first wildcard looks only at the words starting
    with them (semantics.py bounds that per pattern); one without (`*port`) looks at its
    field's whole word list, so each is charged that list's length before any is expanded.
    A field of values (`id:*x`) is looked through as far as semantics.MAX_SCANNED, under the deadline.
    """
    budget = budget or DEFAULT
    scanned = 0
    schema = lexicons.reader.schema
    for node in _patterns(q):
        if isinstance(schema[node.fieldname] if node.fieldname in schema else None, TEXT) \
                and not re.split(r"[*?\[]", node.text, maxsplit=1)[0]:
            typed = typed_field(node.fieldname)      # where a text field's patterns are matched (typed.py)
            scanned += lexicons.size(typed if typed in schema else node.fieldname)
    if scanned > budget.scanned:
        raise BudgetError(
            f"the wildcards of this query would look through {scanned:,} words; the limit is "
            f"{budget.scanned:,} (cap: scanned). A pattern that starts with letters (oil*, not *oil) "
            "looks at far fewer", "scanned")


def check_terms(q, budget: Budget | None = None) -> None:
    """Refuse patterns that stand for too many words together (cap: terms), each one's postings
    read from Whoosh; or whose constant-score sets hold too many postings together (cap: postings)."""
    budget = budget or DEFAULT
    total = _expanded(q, lambda cost: cost.terms)
    if total > budget.terms:
        raise BudgetError(
            f"the wildcards and prefixes of this query stand for {total:,} words together; the limit "
            f"is {budget.terms:,} (cap: terms)", "terms")
    postings = _expanded(q, lambda cost: cost.postings)
    if postings > budget.postings:
        raise BudgetError(
            f"the wildcards of this query stand for words held {postings:,} times together; the limit is "
            f"{budget.postings:,} (cap: postings). Give a few more letters (th*, not t*)", "postings")


def _expanded(q, count) -> int:
    """`count` of the cost of each expanded pattern (operators.Cost.expanded) in the tree."""
    cost = operators.of(q).budget(q)
    if cost.expanded:
        return count(cost)
    if q.is_leaf():
        return 0
    return sum(_expanded(c, count) for c in q.children())
