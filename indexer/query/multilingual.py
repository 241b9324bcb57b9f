"""The query's words analysed in the languages of the stories they are to find.

A story's words are indexed as its language stems them (`analysis.py`): `Regierungen`
is `regier` in a German story, `regierungen` to the English analyzer. So a query
without a language filter asks, for each word and field, for its form in every
language the archive holds: `title:(regierungen OR regier) OR body:(...)`. With
`language=de` the words are analysed as German only (phrases too).

A word that is a stop word in one of those languages (`die` in German, `the` in
English) is not indexed in that language's stories, so requiring it would drop them:
for those stories it is satisfied by their language instead (a zero-weight
`language:de` alternative), as if the stop word had been left out of the query, which
is what a one-language archive does.

An archive of one language (Reuters: English) gets Whoosh's own parser: nothing changes.
Parsers are built once per generation and language set and kept on the `Live`.
"""
from __future__ import annotations

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import Schema

from ..analysis import ENGLISH
from .semantics import NewsParser

TEXT_FIELDS = ("title", "body")
LANGUAGE_FIELD = "language"
MAX_LANGUAGES = 12        # alternatives per word: the archive's most common languages
PARSER_SETS = 32          # language sets whose parsers are kept per generation (a URL may ask any)


def MultilingualParser(fieldnames, schema, languages: tuple[str, ...] = (), **kwargs):
    """The NewsParser (`semantics.py`), each word and phrase analysed in each of `languages`."""
    p = _Parser(fieldnames, schema, **kwargs)
    p.languages = languages
    if any(isinstance(plugin, qparser.PhrasePlugin) for plugin in p.plugins):
        p.remove_plugin_class(qparser.PhrasePlugin)
        p.add_plugin(_Phrases())
    return p


class _Parser(NewsParser):
    languages: tuple[str, ...] = ()

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        if (fieldname not in TEXT_FIELDS or len(self.languages) < 2 or fieldname not in self.schema
                or issubclass(termclass, (wq.Prefix, wq.Wildcard))):
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        field = self.schema[fieldname]
        alternatives, stopped = [], []
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
            if q is not None and q not in alternatives:
                alternatives.append(q)
        if not alternatives:
            return None
        alternatives += [wq.Term(LANGUAGE_FIELD, lang, boost=0.0) for lang in stopped]
        return alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives)


class _PhraseNode(qparser.PhrasePlugin.PhraseNode):
    """A phrase as each language analyses it: `"der Regierung"` is `regier` in German."""

    def query(self, parser):
        langs = getattr(parser, "languages", ())
        fieldname = self.fieldname or parser.fieldname
        if len(langs) < 2 or fieldname not in TEXT_FIELDS or fieldname not in parser.schema:
            return super().query(parser)
        field, sc, alternatives = parser.schema[fieldname], self.textstartchar, []
        for lang in langs:
            words, ranges = [], []
            for t in field.tokenize(self.text, mode="query", chars=True, language=lang):
                words.append(t.text)
                ranges.append((sc + t.startchar, sc + t.endchar))
            if words:
                q = parser.phraseclass(fieldname, words, slop=self.slop, boost=self.boost, char_ranges=ranges)
                if q not in alternatives:
                    alternatives.append(q)
        q = alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives) if alternatives else wq.NullQuery
        return qparser.syntax.attach(q, self)


class _PhraseTagger(qparser.PhrasePlugin.PhraseTagger):
    def create(self, parser, match):
        slop = match.group("slop")
        return _PhraseNode(match.group("text"), match.start("text"), int(slop) if slop else 1)


class _Phrases(qparser.PhrasePlugin):
    def taggers(self, parser):
        return [(_PhraseTagger(self.expr), 0)]


def find_value(fieldname: str, text: str):
    """`country:Österreich`, `org:ONU`: a facet value by its English name, else by its name in
    another language (the gazetteer of non-English stories)."""
    from .. import entities
    from ..gazetteer import in_language

    find = entities.find_country if fieldname == "country" else entities.find_organisation
    found = find(text)
    if found is None:
        with in_language("und"):
            found = find(text)
    return found


def languages_present(reader) -> tuple[str, ...]:
    """The archive's languages, most stories first; English if any story has none."""
    if LANGUAGE_FIELD not in reader.schema:
        return (ENGLISH,)
    counts = {}
    for btext in reader.lexicon(LANGUAGE_FIELD):
        code = btext.decode("utf-8") if isinstance(btext, bytes) else btext
        counts[code] = reader.doc_frequency(LANGUAGE_FIELD, btext)
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


def parsers(live, requested: list[str] | tuple[str, ...], make_parsers):
    """(full, plain) parsers for a request's languages (none: every language present)."""
    langs = tuple(dict.fromkeys(requested)) if requested else None
    cache = live.parsers
    key = langs or "*"
    found = cache.get(key)
    if found is not None:
        return found
    schema = live.searcher.schema
    if langs is None:
        langs = languages_present(live.searcher.reader())
        if langs == (ENGLISH,):
            found = (live.parser, live.plain_parser)
    if found is None:
        if len(langs) == 1:
            found = make_parsers(bound_schema(schema, langs[0]))
        else:
            found = make_parsers(schema, MultilingualParser, languages=langs)
    if len(cache) < PARSER_SETS:      # junk `language=` values must not grow memory
        cache[key] = found
    return found
