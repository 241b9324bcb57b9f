"""The `newsfacet` command (click): `commands` holds the group and the Whoosh commands, `entities`
the extractor's command, `engines` the same commands over a SolrCloud collection."""
from .commands import main

__all__ = ["main"]
