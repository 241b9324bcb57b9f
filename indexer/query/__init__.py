"""The query engine: everything between a `SearchRequest` and a `SearchResult`.

`indexer/search.py` is its public face (the CLI and `web/` import that and nothing
here). The parts, one job each:

- `generation.py`  one opened index generation: its parts (`caches.py`: its caches, one bounded type)
- `current.py`     the current generation of the index folder, swapped when a reindex lands
- `whooshengine.py` the `Engine` protocol on Whoosh (`solrsearch.py`: on SolrCloud)
- `parse.py`       query text -> Whoosh query: parsers, field aliases, facet names, expansion bounds
- `evaluate.py`    a parsed query as numpy arrays: every match and its BM25F score
- `matching.py`    a request -> its matching documents (text query AND facet/date filters)
- `tables.py`      per-generation facet tables (ordinals, dates, duplicate groups)
- `facetcounts.py` the facet values and counts of one result
- `collapse.py`    near-duplicate groups shown once
- `hits.py`        stored fields -> hits, versions and story records
- `highlight.py`, `related.py`, `suggest.py`, `didyoumean.py`, `export.py`, `request.py`
"""
