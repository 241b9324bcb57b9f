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

import bisect
import re

from whoosh import qparser, query as wq
from whoosh.fields import NUMERIC, TEXT

from . import budget
from .expansion import Expansion
from .patterns import Pattern

# Endings a typed prefix may be cut from: the word "enjoyi…" is most likely "enjoying".
ENDINGS = ("", "e", "s", "es", "ed", "ing", "ings", "er", "ers", "y", "ies", "ied", "ly", "ment", "ments",
           "ness", "ion", "ions", "ation", "ations", "al", "ally", "ate", "ated", "ates", "ating", "ity",
           "ive", "ize", "ized", "ous", "ance", "ence", "ent", "able", "ful", "ism", "ist", "ists")
MAX_SCANNED = 50_000          # stems a wildcard's literal start may lead us to look at


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


def expand_patterns(reader, q, limit: int, too_many, lexicons=None):
    """Every Prefix/Wildcard of `q` as the Expansion of the stems it stands for (of the values
    as they are, in a field of values such as `id` or `company`), under the deadline.

    `too_many(node)` is called (and should raise) when a pattern stands for more than
    `limit` stems. `lexicons` (budget.Lexicons, kept per generation) gives a leading
    wildcard its field's word list without walking the index again.
    """
    def fix(node):
        if isinstance(node, (wq.Prefix, wq.Wildcard)) and node.fieldname in reader.schema \
                and not isinstance(reader.schema[node.fieldname], NUMERIC):
            if budget.expired():                      # the query's deadline (budget.py)
                budget.too_slow(node)
            if isinstance(reader.schema[node.fieldname], TEXT):
                texts = _stems_for(reader, node, limit, too_many, lexicons)
            else:                                     # a field of values (id:reuters-1*, company:*corp)
                texts = _values_for(reader, node, limit, too_many)
            return Expansion([wq.Term(node.fieldname, t) for t in texts], str(node), node.fieldname,
                             boost=node.boost)
        return node.apply(fix) if not node.is_leaf() else node
    return fix(q)


def _stems_for(reader, node, limit: int, too_many, lexicons=None) -> list[str]:
    field = node.fieldname
    if isinstance(node, wq.Wildcard):
        literal = re.split(r"[*?\[]", node.text, maxsplit=1)[0]
        if not literal and lexicons is not None:
            words = lexicons.words(field)         # charged to the query by budget.check_scan
        else:
            words = _words_from(reader, node, literal, too_many)
        found = wildcard_stems(words, node.text, stemmer(reader, field), node)
        if len(found) > limit:
            too_many(node)
        return found
    literal = node.text
    found: list[str] = []
    seen = set()
    for t in _words_from(reader, node, literal, too_many):
        if t.startswith(literal):
            found.append(t)
            seen.add(t)
            if len(found) > limit:
                too_many(node)
    if literal:
        found += [t for t in shorter_stems(reader, field, literal) if t not in seen]
    return found


def _values_for(reader, node, limit: int, too_many) -> list[str]:
    """The values of a field of values (not analysed) that a prefix or wildcard matches, as they
    are: looked through under the deadline, as the words of a text field are."""
    literal = node.text if isinstance(node, wq.Prefix) else re.split(r"[*?\[]", node.text, maxsplit=1)[0]
    words = _words_from(reader, node, literal, too_many)
    found = Pattern(node.text).matching(words, node=node) if isinstance(node, wq.Wildcard) else words
    if len(found) > limit:
        too_many(node)
    return found


def _words_from(reader, node, literal: str, too_many):
    """The field's words starting with `literal` (at most MAX_SCANNED), decoded."""
    words = []
    for i, btext in enumerate(reader.expand_prefix(node.fieldname, literal)):
        if i >= MAX_SCANNED:
            too_many(node)
        if i % 256 == 255 and budget.expired():      # the query's deadline (budget.py) covers this too
            budget.too_slow(node)
        words.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
    return words


def wildcard_stems(words: list[str], pattern: str, stem, node=None) -> list[str]:
    """The stems of `words` that match `pattern` themselves, or through a word made of the
    stem and a common ending that matches and stems back to it. When all the letters
    typed come after a leading `*`, the stem must supply at least one of them (`*ation`:
    "nation", and "inflat" through "inflation"; not "market" through "market" + "ation",
    which would make `*ation` every story).

    Done as one linear-time match (patterns.py: RE2, a chunk of words at a time under the
    deadline) over the words, once per ending, and one analyzer run over all the candidate
    words: a check per word and ending took ~0.8 s a field at 21,578 stories, four times
    the deadline.
    """
    line = Pattern(pattern)
    chosen = set(line.matching(words, node=node))
    ybases = [t[:-1] + "y" for t in words if t.endswith("i")]     # "compani" + "es" -> "companies"
    tail = re.split(r"[*?\]]", pattern)[-1]       # the letters typed after the last wildcard
    if pattern[:len(pattern) - len(tail)].strip("*"):
        tail = ""                                  # letters before it too (`coff?e`): they constrain the stem
    longest = max(re.split(r"\[[^\]]*\]|[*?]", pattern), key=len)
    narrowed: dict[tuple, list[str]] = {}       # bases holding what the ending cannot supply
    candidates: dict[str, set[str]] = {}
    for ending in ENDINGS[1:]:
        if tail and len(ending) >= len(tail):
            continue      # the stem must reach into them: else every stem + "ation" "matches" `*ation`
        if node is not None and budget.expired():
            budget.too_slow(node)
        need = _needed_in_base(longest, ending)
        for bases, back in ((words, None), (ybases, "i")):
            if need:
                key = (need, back)
                if key not in narrowed:
                    narrowed[key] = [b for b in bases if need in b]
                bases = narrowed[key]
            if not bases:
                continue
            for word in line.matching(bases, ending, node):
                base = word[:-len(ending)]
                t = base[:-1] + back if back else base
                if t not in chosen:
                    candidates.setdefault(word, set()).add(t)
    if candidates:
        if node is not None and budget.expired():
            budget.too_slow(node)
        for word, t in zip(candidates, _stem_all(stem, list(candidates))):
            if t is not None and t in candidates[word]:
                chosen.add(t)
    return [t for t in words if t in chosen]


def _needed_in_base(literal: str, ending: str) -> str:
    """What a base must contain for base + `ending` to contain `literal`: the part of it
    that the ending cannot supply (`coffee` + "e" -> "coffe"; "" when the ending holds it)."""
    if not literal or literal in ending:
        return ""
    for j in range(1, len(literal) + 1):
        if ending.startswith(literal[j:]):
            return literal[:j]
    return literal


def _stem_all(stem, words: list[str]) -> list[str | None]:
    """`stem` of each word (its one indexed form, or None), in one analyzer run when the
    stemmer offers it (stemmer().many)."""
    many = getattr(stem, "many", None)
    return many(words) if many else [stem(w) for w in words]


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

    def many(words: list[str]) -> list[str | None]:
        """`stem` of each word, from one run over them joined by spaces (a word's tokens
        are those that start inside it)."""
        starts, pos = [], 0
        for w in words:
            starts.append(pos)
            pos += len(w) + 1
        texts: list[str | None] = [None] * len(words)
        counts = [0] * len(words)
        for tok in analyzer(" ".join(words), chars=True):
            k = bisect.bisect_right(starts, tok.startchar) - 1
            counts[k] += 1
            texts[k] = tok.text
        return [t if c == 1 else None for t, c in zip(texts, counts)]
    stem.many = many
    return stem
