"""Every use of Whoosh's private API, in one place, pinned to one Whoosh version.

Why a package of its own: NewsFacet's speed comes partly from reaching under Whoosh's
public API (reading posting blocks whole, a field-length column in one read, one
commit for segments written by forked workers). Those internals can change in any
Whoosh release without notice. Kept here, they are written against one version
(`WHOOSH_VERSION`, pinned exactly in pyproject.toml), checked by the contract tests
in tests/whoosh_ext/, and on any other version they step aside: the patches are not
applied, the block and length readers use Whoosh's public API (slower, same answers),
and the build writes in one process. Without the patches Whoosh's segment files share
one read position between threads, so an `Archive` is then safe in one thread only
(gunicorn's default sync workers, one per process, are unaffected).

- `version.py`   the pinned version and the check
- `patches.py`   fixes to Whoosh's reading and indexing code (same answers, same bytes), applied by `install()` at start-up
- `blocks.py`    the one reader of posting blocks (a term's, or a whole field's) and field lengths;
                 a term's matcher with deleted documents left in (`unfiltered_postings`)
- `compact.py`   the codec the indexer writes with: posting blocks packed as integer arrays
- `packing.py`   those blocks' bytes: encoding, and `Block` decoding one with numpy
- `queries.py`   the terms a date range stands for (`range_terms_query`)
- `segments.py`  a worker's writer without the lock, finishing its segment and committing many in one TOC; the
                 segment files a TOC or a reader names
- `sizes.py`     where an index's bytes go, by field (`newsfacet stats --sizes`)

Allowed imports: Whoosh (and numpy) only; nothing else of NewsFacet.
"""
from __future__ import annotations

from .blocks import field_lengths, field_postings, read_matcher, term_postings, unfiltered_postings
from .compact import PackedCodec
from .patches import install
from .queries import range_terms_query
from .segments import (commit_segments, finalize_segment, parallel_commit_supported, reader_segment_files, segment_reader,
                       segment_count, toc_files, toc_segment_files, worker_writer)
from .version import WHOOSH_VERSION, WhooshVersionWarning, installed_version, supported

__all__ = ["PackedCodec", "WHOOSH_VERSION", "WhooshVersionWarning", "installed_version", "supported", "install",
           "term_postings", "field_postings", "read_matcher", "field_lengths", "unfiltered_postings",
           "range_terms_query", "worker_writer", "finalize_segment", "commit_segments", "parallel_commit_supported",
           "segment_count", "segment_reader", "toc_segment_files", "toc_files", "reader_segment_files"]
