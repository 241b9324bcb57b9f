"""NewsFacet indexer: documents -> Whoosh index, and the query side of the index."""

__version__ = "0.1.0"
