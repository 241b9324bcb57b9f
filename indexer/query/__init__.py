"""The query engine: everything between a `SearchParams` and a `SearchResult`.

`indexer/search.py` is its public face (the CLI and `web/` import that and nothing
here). The parts, one job each:

- `params.py`      the request: `SearchParams` parses, validates, resolves and writes itself out
                   (`paramlist.py` the names and the link rules, `paramcheck.py` the validation)
- `values.py`      facet values from what a user wrote (`country=UK`), their labels, the one fold
- `live.py`        the open index generation of this process, swapped when a reindex lands
- `parse.py`       query text -> Whoosh query: parsers, field aliases, facet names, expansion bounds
- `evaluate.py`    a parsed query as numpy arrays: every match and its BM25F score
- `matching.py`    a request -> its matching documents (text query AND facet/date filters)
- `tables.py`      per-generation facet tables (ordinals, dates, duplicate groups)
- `facetcounts.py` the facet values and counts of one result
- `collapse.py`    near-duplicate groups shown once
- `hits.py`        stored fields -> hits, versions and story records
- `highlight.py`, `related.py`, `suggest.py`, `didyoumean.py`, `export.py`,
  `request.py` (the result records)
"""
