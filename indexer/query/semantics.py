"""What a query means, where Whoosh's parser reads it otherwise.

Whoosh's defaults surprise a news reader in four ways, each fixed here:

- `-` excludes wherever it stands, so `two-for-one` was `two NOT one`. A minus (or
  plus) counts only at the start of a word; a word that the analyzer splits into
  several (`two-for-one`, `U.S.-Japan`) is searched as a phrase, as Lucene's standard
  analyzer does.
- A purely negative query (`-brazil`, `the -brazil`) normalised to "nothing", which we
  then listed as "everything". It means everything except: `NOT brazil`.
- Prefixes and wildcards were matched over stems plus invented English endings (`pers*`
  found every "per cent" story, `*oney` nothing, `wh??t` was `wh??` AND `t`). A pattern
  is now one word (`?` and `[...]` classes included: `PatternPlugin`), matched against
  the field's words as typed (`title_typed`, `body_typed`: typed.py), so it finds exactly
  the stories holding a word it matches. Inside a phrase (`"interest rate*"`), where the
  typed words have no positions, it stands for the stems of the words it matches
  (`phrase_patterns`), and the notice says so.
- `body:*` matched every story; `field:*` now means "has something in that field"
  (arrays.py reads it from the field lengths).

The expansion is done here, into an OR of terms (or, for a pattern of many words, the set
of stories holding one: expansion.PatternDocs), so the evaluator, the highlighter and the
expansion bound all see the same words.
"""
from __future__ import annotations

import bisect
import itertools
import re

from whoosh import qparser, query as wq
from whoosh.fields import NUMERIC, TEXT

from indexer.index.typed import fold_pattern, typed_field
from . import budget
from .expansion import Expansion, PatternDocs, WordPattern
from .patterns import Pattern

# Endings a typed prefix may be cut from, for suggestions (suggest.py): "enjoyi…" is most likely "enjoying".
ENDINGS = ("", "e", "s", "es", "ed", "ing", "ings", "er", "ers", "y", "ies", "ied", "ly", "ment", "ments",
           "ness", "ion", "ions", "ation", "ations", "al", "ally", "ate", "ated", "ates", "ating", "ity",
           "ive", "ize", "ized", "ous", "ance", "ence", "ent", "able", "ful", "ism", "ist", "ists")
MAX_SCANNED = 50_000          # words a pattern's literal start may lead us to look at


class NewsParser(qparser.QueryParser):
    """Whoosh's MultifieldParser, but a prefix or wildcard keeps its letters and a split word is a phrase."""

    def __init__(self, fieldnames, schema, **kwargs):
        super().__init__(None, schema, **kwargs)
        self.add_plugin(qparser.MultifieldPlugin(fieldnames))
        self.remove_plugin_class(qparser.WildcardPlugin)
        self.add_plugin(PatternPlugin())

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        if issubclass(termclass, (wq.Prefix, wq.Wildcard)) and self.schema and fieldname in self.schema \
                and isinstance(self.schema[fieldname], TEXT) and text not in ("", "*"):
            return termclass(fieldname, fold_pattern(text), boost=boost)
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


class PatternPlugin(qparser.WildcardPlugin):
    """A word holding `*`, `?` or a `[...]` class is one pattern, tagged whole.

    Whoosh's WildcardPlugin tags each `*` and `?` on its own and glues the letters around
    them back on, which loses a part when two wildcards meet (`wh??t` became `wh??` AND
    `t`) and leaves a class to the range and phrase plugins (`b[ae]nk` became the phrase
    "ae nk"). A class holds no space, so `[a TO b]` is still a range; a leading `+`/`-`
    is still the plus/minus operator's, a `field:` still the field plugin's.
    """

    _PLAIN = r"[^\s()\"\[\]:*?]"
    _WILD = r"(?:[*?]|\[!?\]?[^\]\s]*\])"
    expr = rf"(?P<text>(?:(?![+\-']){_PLAIN}{_PLAIN}*)?{_WILD}(?:{_PLAIN}|{_WILD})*)"

    class WildcardNode(qparser.WildcardPlugin.WildcardNode):
        qclass = WordPattern

    nodetype = WildcardNode

    def filters(self, parser):
        return []


def expand_patterns(reader, q, limit: int, too_many, lexicons=None, typed=None):
    """Every Prefix/Wildcard of `q` as what it stands for, under the deadline: in a text field,
    the words as typed of its sub-field (`title_typed`: typed.py); in a field of values (`id`,
    `company`), the values as they are.

    With the generation's words-as-typed postings (`typed`, typedsets.TypedSets), a pattern is
    the Expansion of its words (scored word by word, BM25F) while the query's patterns together
    stand for at most budget.SCORED_WORDS words holding at most budget.SCORED_POSTINGS postings;
    past that it is a PatternDocs, its stories at constant score, and no cap on its words applies
    (budget.check_terms caps the postings read). Without them, each pattern's words are read
    from Whoosh: `too_many(node)` is called (and should raise) when a pattern stands for more
    than `limit` words. `lexicons` (budget.Lexicons, kept per generation) gives a leading
    wildcard its field's word list without walking the index again.
    """
    scored = postings = 0

    def fix(node):
        nonlocal scored, postings
        if isinstance(node, (wq.Prefix, wq.Wildcard)) and node.fieldname in reader.schema \
                and not isinstance(reader.schema[node.fieldname], NUMERIC):
            if budget.expired():                      # the query's deadline (budget.py)
                budget.too_slow(node)
            field = pattern_field(reader.schema, node.fieldname)
            pattern = pattern_text(node)
            if typed is not None and typed.has(field):
                found = typed.match(field, pattern, literal_start(pattern), node)
                texts = None
                if found.words <= budget.SCORED_WORDS * len(typed.segments) \
                        and postings + found.postings <= budget.SCORED_POSTINGS:
                    texts = found.word_list()
                if texts is None or scored + len(texts) > budget.SCORED_WORDS:
                    return PatternDocs(field, pattern, found, boost=node.boost)
                scored, postings = scored + len(texts), postings + found.postings
            else:
                texts = matching_words(reader, node, field, limit, too_many, lexicons)
            return Expansion([wq.Term(field, t) for t in texts], pattern, field, boost=node.boost)
        return node.apply(fix) if not node.is_leaf() else node
    return fix(q)


def pattern_field(schema, fieldname: str) -> str:
    """The field a pattern on `fieldname` is matched in: a text field's words-as-typed sub-field
    when the index has it (an index of an older analysis version is rebuilt: build.py), else itself."""
    typed = typed_field(fieldname)
    return typed if isinstance(schema[fieldname], TEXT) and typed in schema else fieldname


def pattern_text(node) -> str:
    """A Prefix or Wildcard as one fnmatch pattern (`pers` -> `pers*`)."""
    return node.text + "*" if isinstance(node, wq.Prefix) else node.text


def literal_start(pattern: str) -> str:
    """The letters before a pattern's first wildcard: where in the word list it can start looking."""
    return re.split(r"[*?\[]", pattern, maxsplit=1)[0]


def matching_words(reader, node, field: str, limit: int, too_many, lexicons=None, typed=None) -> list[str]:
    """The words of `field` the pattern of `node` matches, in lexicon order.

    From the generation's words-as-typed postings when it has them (`typed`: typedsets.py).
    Else words starting with the pattern's letters are read from the lexicon (at most
    MAX_SCANNED); a pattern with none (`*oney`) looks through the whole word list, kept
    per generation by `lexicons` and charged to the query beforehand (budget.check_scan).
    The match itself is RE2's, a chunk of words at a time under the deadline (patterns.py).
    """
    pattern = pattern_text(node)
    literal = literal_start(pattern)
    if typed is not None and typed.has(field):
        found = typed.match(field, pattern, literal, node)
        if found.words > limit * len(typed.segments):
            too_many(node)
        found = found.word_list()
    else:
        if not literal and lexicons is not None and isinstance(reader.schema[field], TEXT):
            words = lexicons.words(field)
        else:
            words = _words_from(reader, field, node, literal, too_many)
        found = words if pattern == literal + "*" else Pattern(pattern).matching(words, node=node)
    if len(found) > limit:
        too_many(node)
    return found


def _words_from(reader, field: str, node, literal: str, too_many):
    """The field's words starting with `literal` (at most MAX_SCANNED), decoded."""
    words = []
    for i, btext in enumerate(reader.expand_prefix(field, literal)):
        if i >= MAX_SCANNED:
            too_many(node)
        if i % 256 == 255 and budget.expired():      # the query's deadline (budget.py) covers this too
            budget.too_slow(node)
        words.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
    return words


MAX_PHRASE_FORMS = 64        # phrases a wildcard inside quotes may become (all its words' forms together)
PHRASE_NOTICE = ("inside quotes a * stands for the words it matches, in any of their forms "
                 "(as the phrase's other words are); ? and [...] are not wildcards there")


def phrase_patterns(reader, q, lexicons=None, typed=None):
    """(query, notice): each phrase holding a `*` word (`"interest rate*"`) as the phrases of the
    stems of the words the pattern matches (`"interest rate"`, `"interest rat"` ...).

    Whoosh's phrase searched the word "rate*" itself (no story holds it: 0, and no word of
    why). The typed sub-fields have no positions (typed.py), so the pattern is matched as
    typed over the sub-field's words, and the phrase is checked over the stemmed field,
    which is how the phrase's other words are matched too. `?` and `[...]` do not survive
    the phrase's tokenizer (`rate?` is "rate"); the notice says both.
    """
    found: list = []

    def fix(node):
        if isinstance(node, wq.Phrase) and node.fieldname in reader.schema \
                and any("*" in w for w in node.words) and pattern_field(reader.schema, node.fieldname) != node.fieldname:
            found.append(node)
            return _phrase_forms(reader, node, lexicons, typed)
        return node.apply(fix) if not node.is_leaf() else node
    q = fix(q)
    return q, (PHRASE_NOTICE if found else None)


def _phrase_forms(reader, node, lexicons, typed):
    field = pattern_field(reader.schema, node.fieldname)
    stem = stemmer(reader, node.fieldname)
    choices = []
    for w in node.words:
        if "*" not in w:
            choices.append([w])
            continue
        pat = WordPattern(field, w).normalize()
        words = matching_words(reader, pat, field, MAX_PHRASE_FORMS * 16, _too_many_forms(node), lexicons, typed) \
            if isinstance(pat, (wq.Prefix, wq.Wildcard)) else [w.replace("*", "")]
        stems = list(dict.fromkeys(t for t in stem.many(words) if t))
        if not stems:
            return wq.Or([])             # no word matches the pattern: no story holds the phrase
        choices.append(stems)
    total = 1
    for c in choices:
        total *= len(c)
    if total > MAX_PHRASE_FORMS:
        _too_many_forms(node)(node)
    phrases = [wq.Phrase(node.fieldname, list(ws), slop=node.slop, boost=node.boost)
               for ws in itertools.product(*choices)]
    return phrases[0] if len(phrases) == 1 else wq.Or(phrases)


def _too_many_forms(phrase):
    def refuse(_node):
        raise budget.BudgetError(f"the wildcard in '{phrase}' stands for more than {MAX_PHRASE_FORMS} forms "
                                 "inside quotes; give a few more letters (cap: per_pattern)", "per_pattern")
    return refuse


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
