"""The query's words analysed in the languages of the stories they are to find.

A story's words are indexed as its language stems them (`analysis.py`): `Regierungen`
is `regier` in a German story, `regierungen` to the English analyzer. So a query
without a language filter asks, for each word and field, for its form in every
language the archive holds: `title:(regierungen OR regier) OR body:(...)`. With
`language=de` the words are analysed as German only (phrases too).

Each form finds only stories of its own language (issue 21): `dividend`'s German stem
`divid` must not find English stories that say "divided", so every alternative is
`Require(form, language:L)` (the language scores nothing); stories whose language could not
be told (`und`) were analysed as English and go with it.

A word that is a stop word in one of those languages (`die` in German, `the` in
English) is not indexed in that language's stories, so requiring it would drop them:
for those stories it is satisfied by their language instead (a zero-weight
`language:de` alternative), as if the stop word had been left out of the query, which
is what a one-language archive does. A query with no word at all in a language (`the`
alone, `der die das`) does not list that language's stories wholesale: those
alternatives are dropped once the whole query is read, and a query left with nothing
gets the notice a one-language archive gives.

An archive of one language (Reuters: English) gets Whoosh's own parser: nothing changes.
Parsers are built once per generation and language set and kept in the generation's caches (generation.py).
"""
from __future__ import annotations

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import Schema

from indexer.index.analysis import ENGLISH
from indexer.extract.language import UNDETERMINED, analysis_language
from .semantics import NewsParser

TEXT_FIELDS = ("title", "body")
LANGUAGE_FIELD = "language"
MAX_LANGUAGES = 12        # alternatives per word: the archive's most common languages
PARSER_SETS = 32          # language sets whose parsers are kept per generation (a URL may ask any)


def MultilingualParser(fieldnames, schema, languages: tuple[str, ...] = (), reader=None, **kwargs):
    """The NewsParser (`semantics.py`), each word and phrase analysed in each of `languages`
    (`reader`: the generation's, to tell a common word of one language from a word no story holds)."""
    p = _Parser(fieldnames, schema, **kwargs)
    p.languages, p.reader = languages, reader
    if any(isinstance(plugin, qparser.PhrasePlugin) for plugin in p.plugins):
        p.remove_plugin_class(qparser.PhrasePlugin)
        p.add_plugin(_Phrases())
    return p


class _Stopped(wq.Term):
    """`language:L` standing for a word that is a stop word in L (see the module's docstring)."""


class _InLanguages(wq.Require):
    """A form of a word (or phrase) and the languages whose stories it may find."""

    def __init__(self, q, langs: tuple[str, ...]):
        codes = [c for lang in langs for c in ((lang, UNDETERMINED) if lang == ENGLISH else (lang,))]
        terms = [wq.Term(LANGUAGE_FIELD, c, boost=0.0) for c in codes]
        super().__init__(q, terms[0] if len(terms) == 1 else wq.Or(terms))
        self.langs = langs


class _Alternatives(wq.Or):
    """The forms of one word (or phrase) in the archive's languages."""


def _alternatives(forms: dict, stopped: list[str]):
    """One alternative per distinct form, with the languages that analyse the word so."""
    out = [_InLanguages(q, tuple(langs)) for q, langs in forms.items()]
    for lang in stopped:
        out += [_Stopped(LANGUAGE_FIELD, c, boost=0.0) for c in ((lang, UNDETERMINED) if lang == ENGLISH else (lang,))]
    return out[0] if len(out) == 1 else _Alternatives(out)


def own_languages(q, languages: tuple[str, ...], reader=None):
    """The parsed query with each form kept to its languages: a language no word of the query is
    searched in loses its stop-word alternatives, and a form every language shares is searched
    without the restriction (what a one-language archive does).

    Words that are only common words in one language are still words in another: `also`, `was`,
    `war`, `die` (German stop words) find the English stories an English archive finds (issue 21:
    `also` found 0 of 508 Reuters stories once gnad was added). The query gets the no-words notice
    when it has no word in the archive's commonest language (`the`), or when its words in the
    other languages are in no story (`der die das` where no English story writes them)."""
    nodes = list(_walk(q))
    words_in = {lang for node in nodes if isinstance(node, _InLanguages) for lang in node.langs}
    stopped_in = {ENGLISH if n.text == UNDETERMINED else n.text for n in nodes if isinstance(n, _Stopped)}
    if stopped_in - words_in and _plain_words(q) and (
            languages[0] in stopped_in - words_in or not _may_match(q, reader)):
        return wq.NullQuery       # `the`, `der die das`: only common words of a language, as in one-language archives
    everywhere = set(languages)

    def fix(node, in_or=False):
        """`in_or`: the word is one of OR's choices, where a stop word is left out (`the OR oil` is
        `oil`), not satisfied by its language as in AND (`the oil`)."""
        if isinstance(node, _InLanguages):
            inner = fix(node.a, in_or)
            return inner if set(node.langs) >= everywhere else wq.Require(inner, node.b)
        if isinstance(node, _Stopped):
            code = ENGLISH if node.text == UNDETERMINED else node.text
            return node if code in words_in and not in_or else wq.NullQuery
        if node.is_leaf():
            return node
        if isinstance(node, _Alternatives):
            return wq.Or([fix(c, in_or) for c in node.subqueries], boost=node.boost)
        if isinstance(node, wq.Or) and _same_word(node):     # one word in title and body: its context
            inner_or = in_or
        else:
            inner_or = isinstance(node, wq.Or) or (in_or and not isinstance(node, (wq.And, wq.BinaryQuery)))
        return node.apply(lambda c: fix(c, inner_or))
    return fix(q)


def _may_match(node, reader) -> bool | None:
    """Whether the query's words could find a story in the languages they are words in: every word
    of an AND, one of an OR, held by some story (None: no word here, only common words; True when
    there is no reader to ask, or for a phrase or another kind of query, not looked up here)."""
    if reader is None:
        return True
    if isinstance(node, _Stopped):
        return None
    if isinstance(node, _InLanguages):
        leaves = [node.a] if node.a.is_leaf() else list(node.a.leaves())
        if not all(isinstance(leaf, wq.Term) and leaf.fieldname in TEXT_FIELDS for leaf in leaves):
            return True
        return all(reader.doc_frequency(leaf.fieldname, leaf.text) > 0 for leaf in leaves)
    if isinstance(node, (wq.And, wq.Or)):
        found = [v for v in (_may_match(c, reader) for c in node.subqueries) if v is not None]
        if not found:
            return None
        return all(found) if isinstance(node, wq.And) else any(found)
    return None if node is wq.NullQuery or isinstance(node, wq.NullQuery.__class__) else True


def _same_word(node) -> bool:
    """An OR the parser made of one word in several fields (`title:x OR body:x`), not the reader's OR."""
    fields = []
    for c in node.subqueries:
        forms = c.subqueries if isinstance(c, _Alternatives) else [c]
        found = [f.a.field() for f in forms if isinstance(f, _InLanguages) and hasattr(f.a, "field")]
        if not found and not all(isinstance(f, _Stopped) for f in forms):
            return False
        fields.append(found[0] if found else None)
    return len(set(fields)) == len(fields)


def _plain_words(q) -> bool:
    """Whether the query holds nothing but words (no pattern, field value or range)."""
    if isinstance(q, (_InLanguages, _Stopped)):
        return True
    if q.is_leaf():
        return q is wq.NullQuery or isinstance(q, wq.NullQuery.__class__)
    return all(_plain_words(c) for c in q.children())


def _walk(q):
    yield q
    if isinstance(q, _InLanguages):
        yield from _walk(q.a)
    elif not q.is_leaf():
        for c in q.children():
            yield from _walk(c)


class _Parser(NewsParser):
    languages: tuple[str, ...] = ()
    reader = None

    def parse(self, text, normalize=True, debug=False):
        q = super().parse(text, normalize=False, debug=debug)
        if len(self.languages) > 1:
            q = own_languages(q, self.languages, self.reader)
        return q.normalize() if normalize else q

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        if (fieldname not in TEXT_FIELDS or len(self.languages) < 2 or fieldname not in self.schema
                or issubclass(termclass, (wq.Prefix, wq.Wildcard))):
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        field = self.schema[fieldname]
        forms: dict = {}
        stopped = []
        for lang in self.languages:
            texts = list(field.process_text(text, mode="query", tokenize=tokenize,
                                            removestops=removestops, language=lang))
            if not texts:
                stopped.append(lang)
                continue
            if len(texts) == 1:
                q = termclass(fieldname, texts[0], boost=boost)
            else:
                q = self.multitoken_query(field.multitoken_query, texts, fieldname, termclass, boost)
            if q is not None:
                forms.setdefault(q, []).append(lang)
        if not forms:
            return None
        return _alternatives(forms, stopped)


class _PhraseNode(qparser.PhrasePlugin.PhraseNode):
    """A phrase as each language analyses it: `"der Regierung"` is `regier` in German."""

    def query(self, parser):
        langs = getattr(parser, "languages", ())
        fieldname = self.fieldname or parser.fieldname
        if len(langs) < 2 or fieldname not in TEXT_FIELDS or fieldname not in parser.schema:
            return super().query(parser)
        field, sc, forms = parser.schema[fieldname], self.textstartchar, {}
        for lang in langs:
            words, ranges = [], []
            for t in field.tokenize(self.text, mode="query", chars=True, language=lang):
                words.append(t.text)
                ranges.append((sc + t.startchar, sc + t.endchar))
            if words:
                q = parser.phraseclass(fieldname, words, slop=self.slop, boost=self.boost, char_ranges=ranges)
                forms.setdefault(q, []).append(lang)
        q = _alternatives(forms, []) if forms else wq.NullQuery
        return qparser.syntax.attach(q, self)


class _PhraseTagger(qparser.PhrasePlugin.PhraseTagger):
    def create(self, parser, match):
        slop = match.group("slop")
        return _PhraseNode(match.group("text"), match.start("text"), int(slop) if slop else 1)


class _Phrases(qparser.PhrasePlugin):
    def taggers(self, parser):
        return [(_PhraseTagger(self.expr), 0)]


def languages_present(reader) -> tuple[str, ...]:
    """The archive's languages, most stories first; English if any story has none."""
    if LANGUAGE_FIELD not in reader.schema:
        return (ENGLISH,)
    counts = {}
    for btext in reader.lexicon(LANGUAGE_FIELD):
        code = analysis_language(btext.decode("utf-8") if isinstance(btext, bytes) else btext) or ENGLISH
        counts[code] = counts.get(code, 0) + reader.doc_frequency(LANGUAGE_FIELD, btext)
    if sum(counts.values()) < reader.doc_count_all():          # stories of no known language
        counts[ENGLISH] = counts.get(ENGLISH, 0) + 1
    return tuple(sorted(counts, key=lambda c: (-counts[c], c)))[:MAX_LANGUAGES] or (ENGLISH,)


def bound_schema(schema, language: str):
    """The schema with `title` and `body` analysed in one language (phrases included)."""
    fields = dict(schema.items())
    for name in TEXT_FIELDS:
        analyzer = getattr(fields[name], "analyzer", None)
        if analyzer is not None and hasattr(analyzer, "for_language"):
            f = fields[name].__class__.__new__(fields[name].__class__)
            f.__dict__.update(fields[name].__dict__)
            f.analyzer = analyzer.for_language(language)
            fields[name] = f
    return Schema(**fields)


def parsers(gen, requested: list[str] | tuple[str, ...], make_parsers):
    """(full, plain) parsers for a request's languages (none: every language present)."""
    # `language=und`: stories whose language could not be told, analysed as English
    langs = tuple(dict.fromkeys(analysis_language(c) or ENGLISH for c in requested)) if requested else None
    cache = gen.caches.parsers         # at most PARSER_SETS: junk `language=` values must not grow memory
    key = langs or "*"
    found = cache.lookup(key)
    if found is not None:
        return found
    schema = gen.searcher.schema
    if langs is None:
        langs = languages_present(gen.searcher.reader())
        if langs == (ENGLISH,):
            found = (gen.parser, gen.plain_parser)
    if found is None:
        if len(langs) == 1:
            found = make_parsers(bound_schema(schema, langs[0]))
        else:
            found = make_parsers(schema, MultilingualParser, languages=langs, reader=gen.searcher.reader())
    return cache.put(key, found)
