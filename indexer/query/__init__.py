"""The query engine: everything between a `SearchParams` and a `SearchResult`.

`indexer/search.py` is its public face (the CLI and `web/` import that and nothing
here). The parts, one job each:

The request and its meaning
- `params.py`      the request: `SearchParams` parses, validates, resolves and writes itself out
                   (`paramlist.py` the names and the link rules, `paramcheck.py` the validation)
- `request.py`     the result records (shared by the web and the CLI)
- `values.py`      facet values from what a user wrote (`country=UK`), their labels, the one fold
- `parse.py`       query text -> Whoosh query: parsers, field aliases, facet names, expansion bounds
- `semantics.py`   what a query means where Whoosh's parser reads it otherwise
- `multilingual.py` the query's words analysed in the languages of the stories they are to find
- `expansion.py`   the nodes a parsed query is rewritten into (expanded patterns, pattern stories)
- `patterns.py`    `*`, `?`, `[...]` matched in time linear in the word list
- `typedsets.py`   a pattern's words and stories from the words-as-typed postings
- `budget.py`      the cost budget of one request: caps before evaluation, a deadline during it

Evaluation over one index generation (Whoosh)
- `generation.py`  one opened index generation, typed (`Generation`: searcher, tables, evaluator, parsers,
                   labels, names); `caches.py` what requests fill on it; `current.py` this process's
                   current generation, swapped when a reindex lands; `whooshengine.py` the Engine over it
- `tables.py`      per-generation facet tables (ordinals, dates, duplicate groups)
- `arrays.py`      a parsed query as numpy arrays: every match and its BM25F score
- `phrases.py`     which stories hold a phrase, checked under the deadline
- `matching.py`    a request -> its matching documents (text query AND facet/date filters)
- `facetcounts.py` the facet values and counts of one result
- `labels.py`      the label, long name and kind of each facet value
- `kinds.py`       a facet with kinds narrowed to one kind, counted per kind
- `collapse.py`    near-duplicate groups shown once
- `hits.py`        stored fields -> hits, versions and story records
- `highlight.py`   snippets and story paragraphs (Whoosh finds the terms, bleach has the last word)
- `related.py`     related stories (more-like-this as arrays)
- `suggest.py`, `didyoumean.py`, `spellwords.py`   suggestions while typing; "did you mean" (a word's candidates)
- `export.py`      every hit of a search, in order, without holding them all in memory

The same searches on a SolrCloud collection (the `solr://` engine)
- `solrsearch.py`  the public face's searches; `solrgeneration.py` the collection as a
  `Generation` look-alike (what the parser needs of it);
  `solrquery.py` the parsed query as a Solr JSON request; `solrgroups.py` near-duplicates shown once;
  `solrsuggest.py` suggestions; `solrtyped.py` a pattern's words
"""
