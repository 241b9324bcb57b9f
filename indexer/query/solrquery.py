"""NewsFacet's parsed query and a request's filters and facets, as a Solr JSON request.

The typed query never reaches Solr as typed: `parse.parse` reads it (NewsFacet's syntax and
semantics, patterns expanded to the indexed words they stand for, facet names resolved to
values), and `to_solr` writes the resulting tree in Lucene syntax, every term escaped: each
node by its operator's `solr` hook (operators.py), a method of `Lucene`, so that an operator is
added in one place (the table) and not also in a chain of isinstance tests here. The
text fields hold NewsFacet's own terms (see the configset), so a term means the same in both
engines; the title's boost is Whoosh's field boost (schema.TITLE_BOOST).

Filters are tagged (`{!tag=org}`) and each facet leaves its own tag out of its counts
(`excludeTags`), the JSON Facet API's form of NewsFacet's rule that a facet's own filter
does not narrow its counts.
"""
from __future__ import annotations

import math
import re

from whoosh import query as wq

from indexer.facets import FACETS
from indexer.index.schema import current_schema
from . import operators
from .request import QueryError, SearchRequest
from .solrgeneration import SOLR_FIELD, scored_field, solr_field
from .solrtyped import regexp

NOTHING = "id:__nothing__"          # a term no story has: matches nothing
_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&| ])')
def escape(term: str) -> str:
    """A term or value as one literal Lucene term: special characters and spaces escaped, and
    the parser's words (AND, OR, NOT, TO: a facet value could be one) not read as operators."""
    out = _SPECIAL.sub(r"\\\1", term)
    return "\\" + out if term in ("AND", "OR", "NOT", "TO") else out


def _boost(node) -> str:
    b = getattr(node, "boost", 1.0)
    return "" if b == 1.0 else f"^{b:g}"


def _text(t) -> str:
    return t.decode("utf-8") if isinstance(t, bytes) else str(t)


def to_solr(q, idf: dict | None = None) -> str:
    """A Whoosh query tree (as `parse.parse` returns it) in Solr's Lucene syntax.

    `idf`: (field, word) -> a boost turning Lucene's idf of the word into Whoosh's (`idf_boosts`).
    """
    return Lucene(idf or {}).write(q)


class Lucene:
    """Each operator's `solr` hook (operators.py) is a method here: `write` looks the node's operator
    up and calls the method it names, so the query language's operators are listed once, in the
    operator table, and a node no operator writes for Solr is refused with its name (a 400)."""

    def __init__(self, idf: dict):
        self.idf = idf
        self.schema = current_schema()     # with the facets registered now

    def write(self, q) -> str:
        if q is None:
            return "*:*"
        method = operators.of(q).solr
        if not method:
            raise QueryError(f"this query cannot be run on the Solr engine ({type(q).__name__})", "q")
        return getattr(self, method)(q)

    def scored(self, field: str, word: str, boost: float = 1.0) -> str:
        """One word of a field, scored as Whoosh scores it."""
        if field in self.schema and not self.schema[field].scorable:
            # a value (`person:"James Baker"`, `language:de`): Whoosh scores its posting, weight 1,
            # times the boost; Lucene would weigh it by the value's idf (a rarer person first)
            return f"{solr_field(field)}:{escape(word)}^={boost:g}"
        b = boost * self.idf.get((field, word), 1.0)
        return f"{scored_field(field)}:{escape(word)}" + ("" if b == 1.0 else f"^{b:.6g}")

    # ------------------------------------------------------------ the operators' `solr` hooks

    def term(self, q) -> str:
        return self.scored(q.fieldname, _text(q.text), q.boost)

    def nothing(self, q) -> str:
        return NOTHING

    def any_of(self, q) -> str:                  # OR, and a pattern's words (Expansion)
        parts = [self.write(c) for c in q.subqueries]
        return f"({' '.join(parts)}){_boost(q)}" if parts else NOTHING

    def all_of(self, q) -> str:
        return "(" + " ".join("+" + self.write(c) for c in q.subqueries) + ")" + _boost(q)

    def pattern_docs(self, q) -> str:         # a pattern of many words: its stories at constant score
        return f"{solr_field(q.fieldname)}:{regexp(q.pattern)}^={q.boost:g}"      # (solrtyped.py)

    def phrase(self, q) -> str:
        """Which stories: the phrase (Whoosh's slop 1 is Lucene's 0, words next to each other). Their
        score: their words', as NewsFacet's evaluator scores a phrase (query/arrays.py, _fallback)."""
        words = [_text(w) for w in q.words]
        slop = max(0, q.slop - 1)
        quoted = " ".join(words).replace("\\", "\\\\").replace('"', '\\"')
        phrase = f'{solr_field(q.fieldname)}:"{quoted}"{"~%d" % slop if slop else ""}^=0'
        scores = " ".join(self.scored(q.fieldname, w) for w in words)
        return f"(+{phrase} {scores}){_boost(q)}"

    def negation(self, q) -> str:             # every story without it scores 1, as Whoosh's InverseMatcher
        return f"(*:* -{self.write(q.query)})"

    def and_not(self, q) -> str:
        return f"(+{self.write(q.a)} -{self.write(q.b)})"

    def and_maybe(self, q) -> str:
        return f"(+{self.write(q.a)} {self.write(q.b)})"

    def require(self, q) -> str:              # b scores nothing (its own boost may be ^0)
        return f"(+{self.write(q.a)} +({self.write(q.b)})^0)"

    def dismax(self, q) -> str:
        return "(" + " ".join(self.write(c) for c in q.subqueries) + ")"

    def every(self, q) -> str:                # `body:*`: a word in that field; every match scores its boost
        return f"{solr_field(q.fieldname)}:[* TO *]^={q.boost:g}" if q.fieldname else f"*:*^={q.boost:g}"

    def pattern(self, q) -> str:
        """A facet field's prefix or wildcard (a text field's patterns were expanded by parse.parse)."""
        if isinstance(q, wq.Prefix):
            return f"{solr_field(q.fieldname)}:{escape(_text(q.text))}*"
        return f"{solr_field(q.fieldname)}:{escape(_text(q.text)).replace(chr(92) + '*', '*').replace(chr(92) + '?', '?')}"


def words_of(q) -> dict[str, set[str]]:
    """The scored words of a query tree by field (title, body): whose idf `idf_boosts` adjusts."""
    out: dict[str, set[str]] = {}

    def walk(node):
        if isinstance(node, wq.Term) and node.fieldname in SOLR_FIELD:
            out.setdefault(node.fieldname, set()).add(_text(node.text))
        elif isinstance(node, wq.Phrase) and node.fieldname in ("title", "body"):
            out.setdefault(node.fieldname, set()).update(_text(w) for w in node.words)
        elif not node.is_leaf():
            for child in node.children():
                walk(child)
    if q is not None and not isinstance(q, str):
        walk(q)
    return out


def idf_boosts(df: dict[tuple[str, str], int], n_all: int, with_field: dict[str, int]) -> dict:
    """Boosts that make Lucene's BM25 idf Whoosh's: log(N / (df + 1)) + 1 over every story (Whoosh,
    query/arrays.py) where Lucene has log(1 + (M - df + 0.5) / (df + 0.5)), M the stories with the
    field. The rest of the two formulas differs by a constant factor, which ranks alike."""
    out = {}
    for (field, word), n in df.items():
        m = with_field.get(field) or n_all
        lucene = math.log(1 + (m - n + 0.5) / (n + 0.5))
        whoosh = math.log(n_all / (n + 1)) + 1
        if n and lucene > 0:
            out[(field, word)] = whoosh / lucene
    return out


def _no_twins(field: str) -> dict[str, list[str]]:
    return {}


def values_query(field: str, values: list[str], twins=_no_twins) -> str:
    """Any of the values, each with its case twins (`SolrGeneration.twins`: the index keeps every spelling)."""
    spelt = twins(field)
    every = dict.fromkeys(s for v in values for s in spelt.get(v, [v]))
    return "(" + " ".join(f"{field}:{escape(v)}" for v in every) + ")"


def filters(req: SearchRequest, twins=_no_twins) -> list[str]:
    """One tagged filter per facet with wanted or excluded values, and the dates. `twins`: field ->
    {value: its spellings}, for a value to stand for its case twins as on Whoosh."""
    out = []
    for spec in FACETS:
        wanted, unwanted = req.filters.get(spec.param), req.exclude.get(spec.param)
        if not (wanted or unwanted):
            continue
        field = spec.field_for(req.match)
        clauses = ["+" + values_query(field, wanted, twins)] if wanted else ["+*:*"]
        if unwanted:
            clauses.append("-" + values_query(field, unwanted, twins))
        out.append(f"{{!lucene tag={spec.param} q.op=OR}}" + " ".join(clauses))
    if req.undated:
        out.append("{!lucene tag=date}(*:* -date:[* TO *])")
    elif req.date_from or req.date_to:
        lo = f"{req.date_from.isoformat()}T00:00:00Z" if req.date_from else "*"
        hi = f"{req.date_to.isoformat()}T23:59:59Z" if req.date_to else "*"
        out.append(f"{{!lucene tag=date}}date:[{lo} TO {hi}]")
    return out


def facet_request(req: SearchRequest, limit: int, twins=_no_twins) -> dict:
    """The JSON Facet API request: every facet without its own filter, the days for the timeline,
    and a count of each value with case twins (`{param}__t{j}`: a story holding two spellings is one)."""
    facets: dict = {"days": {"type": "terms", "field": "day", "limit": -1, "sort": "index"},
                    "undated": {"type": "query", "q": "(*:* -date:[* TO *])"}}
    for spec in FACETS:
        shown = list(dict.fromkeys([*(req.filters.get(spec.param) or ()), *(req.exclude.get(spec.param) or ())]))
        field = spec.field_for(req.match)
        domain = {"excludeTags": spec.param}
        kind = req.kinds.get(spec.param, "")     # a facet with kinds narrowed to one (`kind_org`)
        # Every value, not the top `limit`: a shard's top values miss one counted 1 + 1 on two shards
        # (refinement only corrects the counts of values some shard returned), and the counts must be
        # exact, as Whoosh's are. The cost is one bucket per distinct value, as Whoosh's bincount.
        body = {"type": "terms", "field": spec.kind_field_for(req.match) if kind else field,
                "limit": -1, "mincount": 1, "sort": "count desc", "domain": domain}
        if kind:
            body["prefix"] = kind + "|"
        facets[spec.param] = body
        for i, v in enumerate(shown):
            facets[f"{spec.param}__{i}"] = {"type": "query", "q": values_query(field, [v], twins), "domain": domain}
        if not kind:
            for j, spellings in enumerate(s for s in twins(field).values() if len(s) > 1):
                facets[f"{spec.param}__t{j}"] = {"type": "query", "q": values_query(field, spellings), "domain": domain}
    return facets
