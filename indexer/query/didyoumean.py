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
import time
from typing import NamedTuple

import numpy as np

from . import budget
from .spellwords import MAX_LETTERS, Candidate, candidates, surface

# Plain words (in any alphabet), not field:value nor any part of a pattern (`prefix*`, `*ney`,
# `ener?y`, `b[ae]nk`): a pattern says what its letters are; `*ney` was rewritten to "*new" (issue 21).
_WORD = re.compile(r"(?<![:\w*?\[\]])[^\W\d_]{3,}(?![\w*?:\[\]])")
_OPERATORS = ("AND", "OR", "NOT")
MAX_CORRECTED = 4            # unknown words looked up, corrected or not (120 of them took 3.4 s): the rest stay as typed
RARE = 6                     # a word in at most this many stories may be a misspelling
COMMONER = 10                # ... of a word in this many times more stories
SCREENED = 12                # candidates per word whose stories are read to see how they write it
PER_WORD = 4                 # candidates per unknown word tried in context
MAX_COMBINATIONS = 32        # corrected queries run at most
CACHED_BYTES = 1024 * 1024    # corrections remembered per index generation (typed text and its correction)
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
        if len(spans) >= MAX_CORRECTED or (word not in tried and len(tried) >= MAX_CORRECTED) or budget.expired():
            break                     # MAX_CORRECTED words looked up, found or not (120 unknown ones took 0.6 s)
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
            shown[c.key] = surface(searcher, c.analyzer, c, terms)
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
