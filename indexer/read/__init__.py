"""One reader per input format; each turns bytes into `Document`s and never raises.

`common` holds the records they share (Document, ReadProblem) and the rule that turns
a story's text into a Document; `records` reads JSON, JSON Lines and gzipped JSON
Lines; `html` reads a saved web page as an article (trafilatura); `feeds` reads RSS,
Atom and JSON Feed files and fetches feed URLs; `warc` reads web archives (warcio).
`registry` registers each format once (its suffixes and its reader); `indexer/read/documents.py`
asks it which reader a file needs.
"""
