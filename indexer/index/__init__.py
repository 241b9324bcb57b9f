"""Index (Whoosh): writing and atomically swapping generations, incremental runs, and every table
derived from the index — computed when a generation is written and memory-mapped when it is read.

`build` runs an index run over `read`'s documents and `extract`'s values (`prepare` makes them the
fields of `schema`); `store` says where the live generation is; `whoosh_ext/` holds every use of
Whoosh's private API.
"""
