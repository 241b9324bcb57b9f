"""`make bench`: NewsFacet's speed measured side by side with SQLite FTS5 (issue 5).

Run with `python -m tests.bench` (see `__main__.py` for the options). Nothing in this
package is a pytest test: the modules are not named `test_*`, so `pytest` walks past
them; a benchmark takes minutes and its figures are read by people, not asserted.
"""
