"""'Did you mean': the query with each word the index does not know (or holds in only a
handful of stories: a misspelling in the archive itself) replaced by a close one.

How a correction is chosen, and why:
- Candidates by edit distance first. The words one edit (deletion, insertion,
  substitution, transposition of neighbours) away from the typed word whose stem the
  index holds are the candidates at distance 1; only when there are none, stems within
  distance 2 (Whoosh's `terms_within`). Whoosh's own corrector ranks by frequency within
  distance 2, so "cofee" became "corp" (two edits, but a very common stem). A one-edit
  word that no story writes ("comee", which stems to "come") counts as a further edit.
- Checked in context: every combination of candidates (a few per word) is run as a
  query; one that finds no story is never offered, and among those at the same
  distance the one finding the most stories wins, so words that occur together are
  preferred ("cofee brazl" -> "coffee brazil", not "coffee brass"); the count is
  weighted by how likely the slip is (CHANNEL).
- Shown as a word, not a stem: the index holds stems ("coffe"); of the one-edit words
  that stem to the chosen stem, the one a few stories holding it use most is shown
  ("exports" or "export"), else the word those stories use most.
- Names weigh more: a candidate that is a name or acronym the archive knows (a label of its
  organisations, countries, regions: "opec", "brazil") counts NAME_WEIGHT times its stories:
  `opek` means OPEC (150 stories), not Reuters' abbreviation "oper" (2,029); a rare name does
  not beat a common word (`arba` is "arab", not Aruba).
- Bounded: a word past MAX_LETTERS letters is left as typed (its ~54 x n one-edit variants
  of n letters would cost seconds and megabytes: issue 24.3), variants are stemmed without
  entering the analyzer's stem cache, and the correction has a deadline of its own
  (SECONDS, not a share of the search's: a cold or busy worker still corrects `cofee brazl`),
  checked between variants; when it cuts the correction short, `Correction.cut` says so and
  the search's `notice` tells the reader.
"""
from __future__ import annotations

import dataclasses
import itertools
import math
import os
import re
import string
import time
from collections import Counter
from typing import NamedTuple

import numpy as np
from whoosh import query as wq

from indexer.index.analysis import BIGRAMS

from . import budget

# Plain words (in any alphabet), not field:value nor any part of a pattern (`prefix*`, `*ney`,
# `ener?y`, `b[ae]nk`): a pattern says what its letters are; `*ney` was rewritten to "*new" (issue 21).
_WORD = re.compile(r"(?<![:\w*?\[\]])[^\W\d_]{3,}(?![\w*?:\[\]])")
# letters a slip may leave out or put wrong, besides a-z, in the languages that write them
LETTERS = {"de": "äöüß", "fr": "éèêàâçîïôûùë", "es": "áéíóúñü", "it": "àèéìòù", "pt": "áâãàçéêíóôõú",
           "nl": "ë", "sv": "åäö", "da": "æøå", "no": "æøå", "fi": "äö", "tr": "çğıöşü"}
_OPERATORS = ("AND", "OR", "NOT")
_TOKEN = re.compile(r"\w+(?:\.?\w+)*")      # the analyzers' words (whoosh's default_pattern, no group)
MAX_CORRECTED = 4            # unknown words looked up (120 of them took 3.4 s): the rest stay as typed
RARE = 6                     # a word in at most this many stories may be a misspelling
COMMONER = 10                # ... of a word in this many times more stories
SCREENED = 12                # candidates per word whose stories are read to see how they write it
PER_WORD = 4                 # candidates per unknown word tried in context
MAX_COMBINATIONS = 32        # corrected queries run at most
# How likely each slip is, relative to a letter left out (Kernighan, Church & Gale's noisy
# channel, reduced to one weight per kind of edit): between words at the same distance,
# "sian" is read as "asian" (a letter left out) before "sign" (a wrong one) unless "sign"
# is five times commoner. Set on a typo set drawn with another seed than make eval's.
CHANNEL = {"missing": 1.0, "swapped": 1.0, "doubled": 0.5, "extra": 0.2, "wrong": 0.2}
CACHED_BYTES = 1024 * 1024    # corrections remembered per index generation (typed text and its correction)
MAX_LETTERS = 32             # a longer word is not corrected (the longest English words: ~22-28 letters)
CHECK_EVERY = 256            # variants stemmed between two looks at the deadline
ENV_SECONDS = "NEWSFACET_SPELLING_SECONDS"
SECONDS = float(os.environ.get(ENV_SECONDS) or 0.5)     # the correction's own deadline (~0.1 s when cold)
CUT_NOTICE = ("spelling help ran out of time ({seconds:g} s) before it checked every correction: "
              "a suggestion may be missing")
NAME_PARAMS = ("org", "country", "region")     # facets whose labels are names a reader types
# A name or acronym of the archive counts as this many times more stories than it has:
# `opek` is OPEC (150 stories), not "oper" (2,029, Reuters' "operating"), but `arba` is
# still "arab", not the 5 stories of Aruba, nor `cnal` the acronym CNA.
NAME_WEIGHT = 16
SPELLING_LANGUAGES = 4       # an archive's commonest languages a word is corrected in (each costs its variants)
SAMPLE_STORIES = 40          # stories read to choose how a stem is written
SAMPLE_CHARS = 4_000


class Correction(NamedTuple):
    text: str | None             # the corrected query, None for none
    cut: bool                    # the deadline stopped the search for one


def did_you_mean(gen, text: str) -> str | None:
    """The corrected query, or None when every word is known or no correction finds a story."""
    return correct(gen, text).text


def correct(gen, text: str, seconds: float | None = None, within: np.ndarray | None = None,
            scope: str = "", languages=()) -> Correction:
    """The correction of `text`, found within its own deadline (`seconds`, default SECONDS).

    `within`: the request's filters (a mask over docnums, or an engine's filter queries; None: the
    whole archive), with `scope` a key naming them and `languages` the request's languages: a correction is
    checked, and ranked, by what it finds under the filters, so `cofee` in Iceland is never
    "coffee" when no Icelandic story has coffee (issue 21).

    Remembered per index generation (CACHED_BYTES of answers): a correction reads a few
    hundred stories, and the same misspelling comes back (a page, its feed, the next page).
    One cut short by the deadline is used once, not remembered.
    """
    cache = gen.caches.corrections
    key = f"{scope}\n{text}" if scope else text
    found = cache.lookup(key, _MISSING)
    if found is not _MISSING:
        return Correction(found, False)
    deadline = budget.Deadline(SECONDS if seconds is None else seconds)
    with budget.running(deadline):
        out = _correct(gen, text, within, tuple(languages))
    if deadline.cuts:
        return Correction(out, True)
    cache.put(key, out)
    return Correction(out, False)


_MISSING = object()


def noticed(notice: str | None, cut: bool) -> str | None:
    """The search's notice, with CUT_NOTICE after it when the correction was cut short (both engines)."""
    if not cut:
        return notice
    said = CUT_NOTICE.format(seconds=SECONDS)
    return f"{notice}; {said}" if notice else said


def showing_correction(search, req, suggestion: str | None, total: int, started: float):
    """What the correction finds, as search engines show it, when the query found nothing and the
    request allows it (`req.correct`): `search(req with q=suggestion)` labelled with the query as
    typed; None when there is none or it finds nothing too. One place for both engines (each passes
    its own search)."""
    if not (suggestion and total == 0 and req.correct):
        return None
    fixed = search(dataclasses.replace(req, q=suggestion, correct=False))
    if not fixed.total:
        return None
    fixed.query, fixed.suggestion, fixed.showing_results_for = req.q, suggestion, suggestion
    fixed.took_ms = round((time.perf_counter() - started) * 1000, 1)
    fixed.params = req
    return fixed


def known_names(gen) -> frozenset[str]:
    """Lower-case one-word names and acronyms of the archive's organisations, countries and
    regions (their facet labels, read when the generation opened): `opec`, `brazil`."""
    def read() -> frozenset[str]:
        words = set()
        for (param, value), (label, name, _) in gen.labels.items():
            if param in NAME_PARAMS:
                for text in (value, label, name):
                    if text and text.isalpha():
                        words.add(text.lower())
        return frozenset(words)
    return gen.caches.parts.computed("known names", read)


def _analyzers(gen, languages) -> list:
    """The body analyzer in each language the words are read in: the request's, else the
    archive's (multilingual.languages_present); English alone on an English archive."""
    from .multilingual import languages_present
    base = gen.searcher.schema["body"].analyzer
    langs = tuple(languages) or languages_present(gen.searcher.reader())[:SPELLING_LANGUAGES]
    bind = getattr(base, "for_language", None)
    return [bind(lang) for lang in dict.fromkeys(langs)] if bind else [base]


def _correct(gen, text: str, within: np.ndarray | None = None, languages=()) -> str | None:
    analyzers = _analyzers(gen, languages)
    shown: dict[tuple[str, str], tuple[str, bool] | None] = {}     # (stem, language) -> surface
    names = known_names(gen)
    spans, options = _options(gen, text, analyzers, shown, names)
    if not spans:
        return None
    return _best(gen, text, spans, options, shown, names, within, languages)


def _options(gen, text: str, analyzers: list, shown: dict, names) -> tuple[list, list]:
    """(span, ranked candidates) of each word of `text` worth correcting: unknown, or a misspelling
    a few stories make, with a much commoner word close to it (at most MAX_CORRECTED words)."""
    searcher = gen.searcher
    reader = searcher.reader()
    counts = getattr(gen, "typed", None)      # the body's terms counted when written (typedsets.py)
    spans, options = [], []
    tried: dict[str, list] = {}
    terms: dict[tuple[str, str], str | None] = {}      # the sampled stories' words read once (_surface)

    def rank(c: Candidate):       # an edit no story writes counts as one more; names weigh more
        surface = shown[c.key] or ("", False)
        named = NAME_WEIGHT if surface[0] in names else 1.0
        return c.distance + (not surface[1]), -c.frequency * c.weight * named, c.stem

    for m in _WORD.finditer(text):
        word = m.group(0)
        if word.upper() in _OPERATORS or len(word) > MAX_LETTERS:
            continue
        stems = {tok.text for analyzer in analyzers for tok in analyzer(word)}
        if not stems:
            continue
        df = max(reader.doc_frequency("body", s) + reader.doc_frequency("title", s) for s in stems)
        if df > RARE:
            continue
        if len(spans) >= MAX_CORRECTED or budget.expired():
            break
        found = tried.get(word)       # a word typed twice is looked up once
        if found is None:
            found = tried[word] = sorted(_screened(searcher, _commoner(reader, analyzers, word, df, counts), shown, terms), key=rank)
        if found:
            spans.append(m.span())
            options.append(found[:PER_WORD])
    return spans, options


def _commoner(reader, analyzers: list, word: str, df: int, counts=None) -> list:
    """Candidates for `word` in a story `COMMONER` times commoner than it, closest and commonest first."""
    found = [c for analyzer in analyzers for c in candidates(reader, analyzer, word, far=len(analyzers) == 1,
                                                              counts=counts)]
    for analyzer in analyzers if not found and len(analyzers) > 1 else ():
        if budget.expired():          # two edits away: a lexicon walk per language
            break
        found += candidates(reader, analyzer, word, counts=counts)
    found = [c for c in found if c.frequency >= COMMONER * df]
    found.sort(key=lambda c: (c.distance, -c.frequency, c.stem))
    return found


def _screened(searcher, found: list, shown: dict, terms: dict) -> list:
    """The first SCREENED candidates that some story writes in their language (`shown` remembers
    each stem's surface word, or None: `voraussetz` read as English)."""
    screened = []
    for c in found[:SCREENED]:
        if c.key not in shown:
            if budget.expired():      # each reads up to SAMPLE_STORIES stories
                break
            shown[c.key] = _surface(searcher, c.analyzer, c, terms)
        if shown[c.key]:
            screened.append(c)
    return screened


def _best(gen, text: str, spans: list, options: list, shown: dict, names, within, languages) -> str | None:
    """The combination of corrections that finds stories, fewest and closest edits first."""
    best = None
    for combo in itertools.islice(itertools.product(*options), MAX_COMBINATIONS):
        if budget.expired():
            break
        words = [shown[c.key][0] for c in combo if shown[c.key]]
        if len(words) < len(combo):
            continue
        fixed = _replace(text, spans, words)
        hits = _count(gen, fixed, within, languages)
        if hits == 0:
            continue
        unseen = sum(1 for c in combo if not shown[c.key][1])
        named = sum(1 for c in combo if shown[c.key][0] in names)
        likely = hits * math.prod(c.weight for c in combo) * NAME_WEIGHT ** named
        key = (sum(c.distance for c in combo) + unseen, -likely, sum(-c.frequency for c in combo))
        if best is None or key < best[0]:
            best = (key, fixed)
    return best[1] if best else None


class Candidate:
    __slots__ = ("stem", "distance", "frequency", "words", "weight", "analyzer")

    def __init__(self, stem: str, distance: int, frequency: int, words: dict[str, float], weight: float = 1.0,
                 analyzer=None):
        self.stem, self.distance, self.frequency, self.words = stem, distance, frequency, words
        self.weight, self.analyzer = weight, analyzer      # the language whose stem it is

    @property
    def key(self) -> tuple[str, str]:
        """The stem in its language: `voraussetz` is how German stems "Voraussetzung", and also
        what English makes of "voraussetzing", which no story writes (shown per language)."""
        return self.stem, getattr(self.analyzer, "language", "")

    def __repr__(self):
        return f"Candidate({self.stem!r}, d={self.distance}, f={self.frequency}, {self.words})"


def candidates(reader, analyzer, word: str, far: bool = True, counts=None) -> list[Candidate]:
    """Stems close to `word`, nearest first, then the most frequent; those two edits away only
    when none is one away (and `far`: a caller with other languages to try asks them first)."""
    lower = word.lower()
    by_stem: dict[str, dict[str, float]] = {}
    if len(lower) > MAX_LETTERS:
        return []
    language = getattr(analyzer, "language", "")
    stemmed: dict[str, dict[str, float]] = {}
    for i, (e, w) in enumerate(edits1(lower, LETTERS.get(language, "")).items()):
        if i % CHECK_EVERY == CHECK_EVERY - 1 and budget.expired():
            break
        term = analyzer.term(e)           # not remembered: the stem cache keeps words of stories
        if term is not None:
            stemmed.setdefault(term, {})[e] = w
    held = _held(reader, "body", stemmed, counts)
    by_stem = {term: ws for term, ws in stemmed.items() if term in held}
    out = [Candidate(s, 1, held[s], ws, max(ws.values()), analyzer) for s, ws in by_stem.items()]
    if not out and far:
        typed = [t.text for t in analyzer(lower)]
        if typed:
            for s in reader.terms_within("body", typed[0], 2, prefix=1):
                s = s.decode("utf-8") if isinstance(s, bytes) else s
                if s != typed[0]:
                    out.append(Candidate(s, 2, reader.doc_frequency("body", s), {}, 1.0, analyzer))
    out.sort(key=lambda c: (c.distance, -c.frequency, c.stem))
    return out


def _held(reader, field: str, terms, counts=None) -> dict[str, int]:
    """term -> stories, of the terms the index holds. A reader that looks many terms up at once
    (an engine's, solrgeneration.SolrReader: one request instead of one per variant) does so;
    `counts` (typedsets.TypedSets), the segments' term counts mapped, looks them all up at once."""
    found = counts.doc_frequencies(field, terms) if counts is not None else None
    if found is not None:
        return found
    many = getattr(reader, "doc_frequencies", None)
    if many is not None:
        return {t: n for (_, t), n in many({field: set(terms)}).items() if n}
    return {t: reader.doc_frequency(field, t) for t in terms if (field, t) in reader}


def edits1(word: str, extra: str = "") -> dict[str, float]:
    """Every string one deletion, transposition, substitution or insertion away (Norvig),
    with how likely that slip is (CHANNEL): a letter left out or two swapped is
    likelier than one particular wrong letter typed. `extra`: the language's other letters
    (`Östereich` is one `r` short of Österreich, `Präsdent` one `i`), and the word's own."""
    letters = string.ascii_lowercase + "".join(dict.fromkeys(
        c for c in extra + word if c not in string.ascii_lowercase and c.isalpha()))
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out: dict[str, float] = {}

    def add(words, weight):
        for w in words:
            if w != word and out.get(w, 0) < weight:
                out[w] = weight
    add([a + b[1:] for a, b in splits if b and not (a and a[-1] == b[0])], CHANNEL["extra"])
    add([a + b[1:] for a, b in splits if b and a and a[-1] == b[0]], CHANNEL["doubled"])
    add([a + c + b[1:] for a, b in splits if b for c in letters], CHANNEL["wrong"])
    add([a + c + b for a, b in splits for c in letters], CHANNEL["missing"])
    add([a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1], CHANNEL["swapped"])
    return out


def _replace(text: str, spans, words) -> str:
    out, last = [], 0
    for (start, end), w in zip(spans, words):
        out.append(text[last:start])
        out.append(w)
        last = end
    out.append(text[last:])
    return "".join(out)


def _count(gen, text: str, within: np.ndarray | None = None, languages=()) -> int:
    """Stories the corrected query finds (under the request's filters and languages)."""
    from .parse import parse          # parse imports nothing of this module; late to keep it so
    try:
        q, _ = parse(gen, text, languages=languages)
    except Exception:
        return 0
    if q is None:
        return 0
    engine = getattr(gen, "count_matches", None)
    if engine is not None:            # an engine counts for itself; `within` is its filters (solrgeneration.py)
        return engine(q, within)
    mask = gen.evaluator.run(q).mask
    return int(np.count_nonzero(mask if within is None else mask & within))


def _surface(searcher, analyzer, c: Candidate, terms: dict | None = None) -> tuple[str, bool] | None:
    """How stories write the stem, and whether that is one of the candidate's one-edit words.

    Each distinct word of the sampled stories is analysed once, not each of its occurrences (the
    same tokens and stems as analysing the text: a word's term does not depend on its neighbours,
    except where ideographs are read as bigrams, which are analysed as text): 40 stories of
    4,000 characters are ~27,000 words but ~3,000 distinct ones. `terms` remembers them for the
    other candidates of one correction: (language, word) -> term."""
    seen: dict[str, int] = {}
    terms = {} if terms is None else terms
    language = getattr(analyzer, "language", "")
    per_word = language not in BIGRAMS
    for docnum in itertools.islice(searcher.docs_for_query(wq.Term("body", c.stem)), SAMPLE_STORIES):
        body = searcher.stored_fields(docnum).get("body", "")[:SAMPLE_CHARS]
        if per_word:
            for original, n in Counter(_TOKEN.findall(body)).items():
                term = terms.get((language, original), _MISSING)
                if term is _MISSING:
                    term = terms[(language, original)] = _term_of(analyzer, original)
                if term == c.stem:
                    w = original.lower()
                    seen[w] = seen.get(w, 0) + n
            continue
        for tok in analyzer(body, chars=True, keeporiginal=True):
            if tok.text == c.stem:
                w = tok.original.lower()
                seen[w] = seen.get(w, 0) + 1
    if not seen:
        return None
    # a one-edit word that stories write (of several, the likeliest slip, then the commonest);
    # else the word they write, flagged: "comee" stems to "come", but no story says "comee"
    typed = [w for w in c.words if w in seen]
    if typed:
        return max(sorted(typed), key=lambda w: (c.words[w], seen[w])), True
    return max(sorted(seen), key=seen.get), False


def _term_of(analyzer, original: str) -> str | None:
    """The term one word of a stored text is indexed as (None: a stop word), as the analyzer gives it
    with offsets (no NFC: the stored text is NFC already)."""
    for tok in analyzer(original, chars=True):
        return tok.text
    return None
