"""What a query means, where Whoosh's parser reads it otherwise.

Whoosh's defaults surprise a news reader in four ways, each fixed here:

- `-` excludes wherever it stands, so `two-for-one` was `two NOT one`. A minus (or
  plus) counts only at the start of a word; a word that the analyzer splits into
  several (`two-for-one`, `U.S.-Japan`) is searched as a phrase, as Lucene's standard
  analyzer does.
- A purely negative query (`-brazil`, `the -brazil`) normalised to "nothing", which we
  then listed as "everything". It means everything except: `NOT brazil`.
- Prefixes and wildcards were stemmed before matching (`pers*` became `per*` and found
  "percent"; `enjoyi*` found nothing). They now match the word as typed: the index holds
  stems only, so a stem is taken when it matches the pattern itself, or when a word
  made of it and a common English ending matches the pattern and stems back to it
  (`enjoyi*` -> "enjoying" -> stem `enjoy`). A stem stands for all its words, so
  `enjoyi*` also finds a story that only says "enjoyed": the price of no second,
  unstemmed copy of every story in the index.
- `body:*` matched every story; `field:*` now means "has something in that field"
  (evaluate.py reads it from the field lengths).

The expansion is done here, into an OR of terms, so the evaluator, the highlighter and
the expansion bound all see the same words.
"""
from __future__ import annotations

import fnmatch
import re

from whoosh import qparser, query as wq
from whoosh.fields import TEXT

from . import budget

# Endings a typed prefix may be cut from: the word "enjoyi…" is most likely "enjoying".
ENDINGS = ("", "e", "s", "es", "ed", "ing", "ings", "er", "ers", "y", "ies", "ied", "ly", "ment", "ments",
           "ness", "ion", "ions", "ation", "ations", "al", "ally", "ate", "ated", "ates", "ating", "ity",
           "ive", "ize", "ized", "ous", "ance", "ence", "ent", "able", "ful", "ism", "ist", "ists")
MAX_SCANNED = 50_000          # stems a wildcard's literal start may lead us to look at


class Expansion(wq.Or):
    """The stems a prefix or wildcard stood for (an OR of terms, scored as Whoosh's BM25F sum)."""

    def __init__(self, subqueries, pattern: str = "", fieldname: str = "", boost: float = 1.0):
        super().__init__(subqueries, boost=boost)
        self.pattern, self.fieldname = pattern, fieldname

    def __repr__(self):
        return f"Expansion({self.fieldname!r}, {self.pattern!r}, {len(self.subqueries)} words)"

    def normalize(self):      # an empty expansion stays a query that matches nothing (not NullQuery)
        return self


class NewsParser(qparser.QueryParser):
    """Whoosh's MultifieldParser, but a prefix or wildcard keeps its letters and a split word is a phrase."""

    def __init__(self, fieldnames, schema, **kwargs):
        super().__init__(None, schema, **kwargs)
        self.add_plugin(qparser.MultifieldPlugin(fieldnames))

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        if termclass in (wq.Prefix, wq.Wildcard) and self.schema and fieldname in self.schema \
                and isinstance(self.schema[fieldname], TEXT) and text not in ("", "*"):
            return termclass(fieldname, text.lower(), boost=boost)
        return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)

    def multitoken_query(self, spec, texts, fieldname, termclass, boost):
        return super().multitoken_query("phrase" if spec == "default" else spec, texts, fieldname,
                                        termclass, boost)


def plus_minus() -> qparser.PlusMinusPlugin:
    """+ and - only at the start of a word (after a space, a bracket or the start)."""
    return qparser.PlusMinusPlugin(plusexpr=r"(?:(?<=^)|(?<=[\s(]))\+", minusexpr=r"(?:(?<=^)|(?<=[\s(]))-")


def everything_except(q):
    """`AndNot(nothing, b)` -> `Not(b)`, on the tree before Whoosh normalises it away."""
    def fix(node):
        node = node.apply(fix) if not node.is_leaf() else node
        if isinstance(node, wq.AndNot) and _empty(node.a) and not _empty(node.b):
            return wq.Not(node.b)
        return node
    return fix(q)


def _empty(q) -> bool:
    return q is None or q is wq.NullQuery or isinstance(q.normalize(), wq.NullQuery.__class__)


def expand_patterns(reader, q, limit: int, too_many):
    """Every TEXT-field Prefix/Wildcard of `q` as the Expansion of the stems it stands for.

    `too_many(node)` is called (and should raise) when a pattern stands for more than
    `limit` stems.
    """
    def fix(node):
        if isinstance(node, (wq.Prefix, wq.Wildcard)) and node.fieldname in reader.schema \
                and isinstance(reader.schema[node.fieldname], TEXT):
            if budget.expired():                      # the query's deadline (budget.py)
                budget.too_slow(node)
            texts = _stems_for(reader, node, limit, too_many)
            return Expansion([wq.Term(node.fieldname, t) for t in texts], str(node), node.fieldname,
                             boost=node.boost)
        return node.apply(fix) if not node.is_leaf() else node
    return fix(q)


def _stems_for(reader, node, limit: int, too_many) -> list[str]:
    field = node.fieldname
    if isinstance(node, wq.Prefix):
        literal, pattern = node.text, None
    else:
        pattern = node.text
        literal = re.split(r"[*?\[]", pattern, maxsplit=1)[0]
    regex = re.compile(fnmatch.translate(pattern)) if pattern else None

    def matches(word: str) -> bool:
        return word.startswith(literal) if regex is None else bool(regex.match(word))

    found: list[str] = []
    seen = set()
    for i, btext in enumerate(reader.expand_prefix(field, literal)):
        if i >= MAX_SCANNED:
            too_many(node)
        if i % 256 == 255 and budget.expired():      # the query's deadline (budget.py) covers this too
            budget.too_slow(node)
        t = btext.decode("utf-8") if isinstance(btext, bytes) else btext
        if matches(t) or (regex is not None and _a_word_of(t, matches, stemmer(reader, field))):
            found.append(t)
            seen.add(t)
            if len(found) > limit:
                too_many(node)
    if literal and regex is None:
        found += [t for t in shorter_stems(reader, field, literal) if t not in seen]
    return found


def shorter_stems(reader, field: str, prefix: str) -> list[str]:
    """Indexed stems of words starting with `prefix` that do not themselves start with it:
    `enjoyi` -> "enjoying" -> enjoy, `internatio` -> "international" -> intern."""
    words = {prefix + e[k:] for e in ENDINGS for k in range(len(e) + 1) if prefix.endswith(e[:k])}
    stem = stemmer(reader, field)
    out = []
    for word in sorted(words):
        t = stem(word)
        if t and t not in out and not t.startswith(prefix) and (field, t) in reader:
            out.append(t)
    return out


def stemmer(reader, field: str):
    """The field's own analyzer as word -> its one indexed form (None for a stop word)."""
    analyzer = reader.schema[field].analyzer

    def stem(word: str) -> str | None:
        toks = [t.text for t in analyzer(word)]
        return toks[0] if len(toks) == 1 else None
    return stem


def _a_word_of(t: str, matches, stem) -> bool:
    """Does a word made of stem `t` and a common ending match, and stem back to `t`?"""
    for ending in ENDINGS[1:]:
        for base in (t, t[:-1] + "y") if t.endswith("i") else (t,):
            word = base + ending
            if matches(word) and stem(word) == t:
                return True
    return False
