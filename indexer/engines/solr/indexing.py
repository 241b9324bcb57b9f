"""`newsfacet --engine solr://… index`: the same readers and extraction as the Whoosh path, into Solr.

Every story goes through `prepare.prepare` (language, dateline, entities, facet values), the one
function the Whoosh indexer uses, and leaves as a Solr document (`to_solr`). The text fields are
sent as NewsFacet's own analysed terms (see the configset's schema.xml): the same words in the
same positions as the Whoosh index holds, so a query means the same on both engines.

Incremental like the Whoosh path, and decided by its code: `survey` walks the paths and `plan`
(index/plan.py, a pure function) sorts what it found against the manifest, so a file whose size
and modification time are unchanged is not read, a changed file's stories are replaced and a
removed file's (or a dropped feed's) are deleted by the same rules on both engines. The manifest
lives in the collection itself (`file_sig`, one facet bucket a file, naming how many stories the file
has), so any machine can run the next increment. Documents go in batches; a batch Solr refuses
(a node down) stops the run with Solr's reason, and nothing is lost: what arrived stays, and a file
with fewer stories in the collection than its signature names is sent again by the next run.
"""
from __future__ import annotations

import collections
import datetime as _dt
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from indexer.read.documents import DEFAULT_MAX_BYTES, ReadProblem, read_source
from indexer.facets import FACETS
from indexer.index.feeds import is_url
from indexer.index.manifest import Manifest
from indexer.index.plan import Found, plan
from indexer.index.prepare import prepare
from indexer.index.schema import SCHEMA, TITLE_BOOST
from indexer.index.survey import survey
from indexer.index.typed import typed_field
from indexer.engines import EngineError
from . import feeds, groups, schema
from .client import SolrClient

BATCH = 500
TEXT_FIELDS = {"title": "title_t", "body": "body_t"}
SEP = "\t"


@dataclass
class SolrReport:
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    documents: int = 0
    regrouped: int = 0        # stories whose near-duplicate group changed (groups.py)
    group_seconds: float = 0.0    # forming the groups again after the run (included in the run's time)
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.documents} stories sent to Solr ({self.new} new, {self.changed} changed, "
                f"{self.unchanged} unchanged, {self.removed} removed files)")


def terms(value, field: str = "body") -> list[str]:
    """NewsFacet's terms of a Whoosh field's value (a LanguageText analyses in its language) in
    position order (positions are consecutive: stop words renumbered)."""
    return [t.text for t in SCHEMA[field].analyzer(value)] if value else []


def weighted(words: list[str], boost: float = TITLE_BOOST) -> str:
    """`term|n` for each distinct term: its count times the field's boost (Whoosh's posting weight)."""
    counts = collections.Counter(words)
    return " ".join(f"{w}|{round(n * boost)}" for w, n in counts.items())


def to_solr(fields: dict, sig: str, seq: int) -> dict:
    """A story's Whoosh fields (prepare.py) as a Solr document: the text fields analysed exactly as
    prepare hands them to Whoosh (a story's own language, `und` as English, a title that is only
    a label not searched), the typed sub-fields (typed.py) as the words patterns match."""
    title = fields.get("_stored_title", fields.get("title", "")) or ""
    body = fields.get("_stored_body", fields.get("body", "")) or ""
    lang = fields.get("language", "") or ""
    doc = {"id": fields["id"], "path": fields["path"], "seq": seq, "title": str(title), "body": str(body)}
    if sig:                    # a file's story (a feed's carries its feed instead: feeds.py)
        doc["file_sig"] = sig
    title_terms, body_terms = terms(fields.get("title"), "title"), terms(fields.get("body"), "body")
    if title_terms:            # no empty field: `title:*` finds the stories with a word in the title
        doc.update(title_t=" ".join(title_terms), title_f=weighted(title_terms))
    if body_terms:
        doc["body_t"] = " ".join(body_terms)
    for name, boost in ((typed_field("title"), TITLE_BOOST), (typed_field("body"), 1.0)):
        words = terms(fields.get(name), name)
        if words:
            doc[name] = weighted(words, boost)
    for name in ("dateline", "place", "source", "url", "day", "month", "year"):
        if fields.get(name):
            doc[name] = fields[name]
    if isinstance(fields.get("date"), _dt.datetime):
        doc["date"] = fields["date"].strftime("%Y-%m-%dT%H:%M:%SZ")
    if lang:
        doc["language"] = lang
    signature = groups.encode(fields.get("minhash") or b"")
    if signature:
        doc["minhash"] = signature
    _add_facets(doc, fields)
    return doc


def _add_facets(doc: dict, fields: dict) -> None:
    """Each facet's fields (values, mentions, kinds) as lists, a one-value facet's value, its display
    as JSON, its labels: every field the schema generated from the registry declares (schema.py)."""
    for spec in FACETS:
        # its comma-separated fields (about, mention, "kind|value") as lists; a one-value facet's value as is
        for name, what in spec.schema_fields().items():
            if what == "keyword":
                values = [v.strip() for v in (fields.get(name) or "").split(",") if v.strip()]
                if values:
                    doc[name] = list(dict.fromkeys(values))
            elif what == "value" and fields.get(name) and name not in doc:   # a one-value facet's (language: above)
                doc[name] = fields[name]
        if spec.display and fields.get(spec.display):
            doc[spec.display] = json.dumps(fields[spec.display], ensure_ascii=False)
            if spec.stored_labels:
                doc.setdefault("facet_labels", []).extend(
                    SEP.join((spec.param, i["value"], i.get("label") or i["value"], i.get("name") or "",
                              i.get("kind") or "")) for i in fields[spec.display])


def _prepared(job: tuple) -> tuple[dict, str | None]:
    """One story as a Solr document (in a worker process): extraction and analysis, the costly part."""
    doc, key, sig, seq, extra = job
    fields, warning = prepare(doc, key)
    return {**to_solr(fields, sig, seq), **extra}, (f"{doc.id}: {warning}" if warning else None)


def manifest(client: SolrClient) -> dict[str, dict]:
    """{file key: {size, mtime_ns, sha256}} of every file with stories in the collection."""
    res = client.select({}, {"query": "*:*", "limit": 0,
                             "facet": {"files": {"type": "terms", "field": "file_sig", "limit": -1}}})
    out = {}
    for b in res.get("facets", {}).get("files", {}).get("buckets", []):
        key, size, mtime, sha, stories = b["val"].rsplit(SEP, 4)
        # complete: every story of the file arrived (a run cut short by an outage left some out;
        # the next run sends the file again instead of taking it as unchanged)
        out[key] = {"size": int(size), "mtime_ns": int(mtime), "sha256": sha,
                    "complete": int(b["count"]) == int(stories)}
    return out


def held(client: SolrClient) -> Manifest:
    """What the collection holds as the Whoosh path's typed `Manifest`, for `plan.plan`: its files
    (`manifest`) and its feeds (`feeds.manifest`). A file whose stories did not all arrive gets the
    mtime -1, as a file that changed while it was read, so that the plan reads it again."""
    files = {key: {**e, "mtime_ns": e["mtime_ns"] if e["complete"] else -1} for key, e in manifest(client).items()}
    return Manifest.from_json({**files, **feeds.manifest(client)})


def _next_seq(client: SolrClient) -> int:
    res = client.select({}, {"query": "*:*", "limit": 0, "facet": {"m": "max(seq)"}})
    top = res.get("facets", {}).get("m")
    return int(top) + 1 if top is not None else 0


def _term(value: str, field: str = "path") -> str:
    return "{!term f=%s}%s" % (field, value)


def index(client: SolrClient, paths: Iterable, rebuild: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
          follow_links: bool = False, on_problem: Callable[[ReadProblem], None] | None = None,
          batch: int = BATCH, procs: int | None = None, fetch_articles: bool = False, fetcher=None) -> SolrReport:
    """Send the stories under `paths` (files, folders, feed lists, feed URLs) to the collection;
    `procs` worker processes extract and analyse them (default: one per core), as the Whoosh
    indexer's do. Feeds are fetched with `fetcher` (read/fetch.py; default: its policy)."""
    lacking = schema.missing(client)
    if lacking:
        raise EngineError(f"the collection's schema has no field {', '.join(lacking)} (a facet registered "
                          "after its configset was uploaded): run `newsfacet setup` again to upload the schema "
                          "generated from the facet registry (the collection is reloaded; its stories stay)")
    report = SolrReport()

    def problem(p: ReadProblem) -> None:
        report.problems.append(str(p))
        if on_problem:
            on_problem(p)

    paths = list(paths)
    urls = [str(p) for p in paths if is_url(p)]
    paths = [Path(p) for p in paths if not is_url(p)]
    for p in paths:
        if not p.exists() and not p.is_symlink():
            raise FileNotFoundError(f"{p}: no such file or folder")
    procs = procs or os.cpu_count() or 1
    pool = None
    if procs > 1:
        import multiprocessing as mp

        from indexer.index.parallel import _die_with_parent      # a worker left behind by `kill -9` dies with us
        pool = mp.get_context("fork").Pool(procs, initializer=_die_with_parent, initargs=(os.getpid(),))
    try:
        return _run(client, paths, rebuild, max_bytes, follow_links, problem, batch, report, pool,
                    (urls, fetcher, fetch_articles))
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()


def _run(client, paths, rebuild, max_bytes, follow_links, problem, batch, report, pool, feed_run) -> SolrReport:
    """The Whoosh path's `survey` and `plan` (index/plan.py) against what the collection holds, then
    the plan carried out here (the Whoosh path's `execute` writes Whoosh segments): new and changed
    files sent (a changed file's old stories deleted first), the feeds followed, removed files and
    feeds taken off their lists deleted. Ids are not claimed as on Whoosh (owners.py): a story's id is
    its source's, and Solr keeps the last story sent under an id."""
    if rebuild:
        client.update({"delete": {"query": "*:*"}})
        client.commit()
    known = Manifest() if rebuild else held(client)
    urls, fetcher, fetch_articles = feed_run
    found = survey(paths, urls, follow_links=follow_links)
    for p in found.problems:
        problem(p)
    todo = plan(found, known)
    report.unchanged += len(todo.unchanged)
    run = _Run(client, report, problem, pool, batch, _next_seq(client))
    try:
        for f in todo.to_read:
            run.send_file(f, known.get(f.key), max_bytes)
        if todo.feeds:
            if fetcher is None:
                from indexer.read.fetch import Fetcher
                fetcher = Fetcher(max_bytes=max_bytes)
            for d, url, extra in feeds.follow(known.feed_dicts(), todo.feeds, fetcher, fetch_articles, problem,
                                              report):
                run.queue(d, url, None, extra)
        run.flush()
        run.wait()
        for key in sorted(todo.removed):        # files gone from under the paths, feeds off their lists
            field = feeds.FIELD if getattr(known.get(key), "feed", False) else "path"
            client.update({"delete": {"query": _term(key, field)}})
            report.removed += 1
    finally:
        run.sender.shutdown(wait=True)
    client.commit()
    started = time.perf_counter()
    report.regrouped = groups.regroup(client)      # the groups over the stories just committed
    if report.regrouped:
        client.commit()
    report.group_seconds = time.perf_counter() - started
    return report


class _Run:
    """The stories of one run on their way to Solr: prepared in batches (in the worker pool) while
    the batch before is being indexed (Solr indexes one batch while the next is prepared)."""

    def __init__(self, client, report: SolrReport, problem, pool, batch: int, seq: int) -> None:
        self.client, self.report, self.problem, self.pool, self.batch = client, report, problem, pool, batch
        self.seq = seq                      # the next story's place in the collection's order
        self.pending: list[tuple] = []
        self.sender = ThreadPoolExecutor(1)
        self.in_flight: list = []

    def send_file(self, f: Found, old, max_bytes: int) -> None:
        """Queue the stories of a file the plan reads (new, changed, or incomplete: its old stories
        deleted first); a file that cannot be read at all leaves the collection as it was."""
        src = read_source(f.file, f.root, max_bytes, f.expect)
        for p in src.problems:
            self.problem(p)
        if not src.docs and any(p.skipped for p in src.problems):
            return
        if old:
            self.client.update({"delete": {"query": _term(f.key)}})       # the file's old stories
            self.report.changed += 1
        else:
            self.report.new += 1
        stories = len({d.id for d in src.docs})
        sig = SEP.join((f.key, str(src.size), str(-1 if src.unstable else src.mtime_ns), src.sha256, str(stories)))
        for d in src.docs:
            self.queue(d, f.key, sig, {})

    def queue(self, doc, key: str, sig: str | None, extra: dict) -> None:
        self.pending.append((doc, key, sig, self.seq, extra))
        self.seq += 1
        if len(self.pending) >= self.batch:
            self.flush()

    def wait(self) -> None:
        while self.in_flight:
            self.report.documents += self.in_flight.pop().result()      # Solr's refusal is raised here

    def _send(self, docs: list[dict]) -> int:
        self.client.update(docs)
        return len(docs)

    def flush(self) -> None:
        if self.pending:
            pending, pool = self.pending, self.pool
            jobs = pool.imap(_prepared, pending, chunksize=16) if pool else map(_prepared, pending)
            docs = []
            for (_, key, _, _, _), (doc, warning) in zip(pending, jobs):
                if warning:
                    self.problem(ReadProblem(key, warning, skipped=False))
                docs.append(doc)
            pending.clear()
            self.wait()
            self.in_flight.append(self.sender.submit(self._send, docs))
