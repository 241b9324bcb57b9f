"""The `newsfacet` command: the group, and `index`, `prune`, `serve`; `search`, `stats`, `check` are
in reading.py, the shared errors and options in base.py.

Only argument handling and printing live here; the work is in build.py, search.py
and entities.py, which the web app shares.

Exit codes: base.py (and the README).

The index folder is given once for all commands: `newsfacet --index-dir D search …`,
or after the command as before (`newsfacet search … --index-dir D`); else
$NEWSFACET_INDEX; else the checkout's `index/` (store.default_index_dir). Every
command says which folder it used, as an absolute path.
"""
from __future__ import annotations

import os
from pathlib import Path

import click

from indexer.index import store
from .base import (EXIT_SKIPPED, UNSUPPORTED_NAMED, BadUsage, Damaged, DiskFull, IndexCommand,
                   Locked, NoIndex, INDEX_DIR_OPTION, chosen_engine, chosen_index_dir)
from .engines import setup_cmd
from .entities import entities_cmd
from .reading import check_cmd, search_cmd, stats_cmd


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsfacet")
@click.option("--index-dir", envvar=store.ENV_INDEX,
              help="Index folder [default: $NEWSFACET_INDEX, else the checkout's index/].", **INDEX_DIR_OPTION)
@click.option("--engine", envvar="NEWSFACET_ENGINE", default=None, metavar="URL",
              help="A SolrCloud collection (solr://host:port[,host:port]/collection) instead of the index folder "
                   "[default: $NEWSFACET_ENGINE, else the Whoosh index].")
@click.pass_context
def main(ctx: click.Context, engine: str | None) -> None:
    """NewsFacet: full-text search with facets for an archive of news stories."""
    ctx.ensure_object(dict)["engine"] = engine or None


@main.command("index", cls=IndexCommand)
@click.argument("paths", nargs=-1)
@click.option("--rebuild", is_flag=True, help="Build a fresh index beside the live one and swap it in.")
@click.option("--max-size", "max_mb", type=click.IntRange(1), default=50, show_default=True,
              help="Skip files larger than this many MB.")
@click.option("--procs", type=click.IntRange(1), default=None, help="Processes for extraction [default: cores].")
@click.option("--follow-links", is_flag=True,
              help="Follow symbolic links that point outside the folders given (not followed by default).")
@click.option("--fetch-articles", is_flag=True,
              help="Fetch the link of each new or changed feed item and index the article, not only the summary.")
@click.option("--allow-private", is_flag=True,
              help="Fetch feeds and articles from loopback and private (intranet) addresses too; refused by default.")
@click.option("--fetch-deadline", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="Seconds a fetch may take in all (connection, headers and body), however slowly the server sends.")
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line and problems.")
def index_cmd(paths, rebuild, max_mb, procs, follow_links, fetch_articles, allow_private, fetch_deadline,
              quiet):
    """Index the stories under PATHS (default: seeds/) into the index folder.

    PATHS are folders, files (text, Markdown, HTML, JSON, JSON Lines, RSS/Atom/JSON
    Feed, WARC), feed lists (`feeds.txt`: one URL a line) and http(s):// feed URLs.
    Incremental: only new, changed and removed files are touched; feeds add what is new.
    """
    from indexer.index.build import build_index
    from indexer.index.feeds import is_url
    from indexer.read.fetch import Fetcher

    fetcher = Fetcher(max_bytes=max_mb * 1024 * 1024, deadline=fetch_deadline, allow_private=allow_private)
    if chosen_engine():
        from .engines import index_on_engine
        return index_on_engine(chosen_engine(), paths, rebuild, max_mb, follow_links, quiet, BadUsage, EXIT_SKIPPED,
                               fetch_articles=fetch_articles, fetcher=fetcher)
    index_dir = chosen_index_dir()
    paths = [p if is_url(p) else Path(p) for p in paths] or [Path("seeds")]
    unsupported = []

    def report_problem(p):
        unsupported.extend([p] if p.unsupported else [])
        if not p.unsupported or len(unsupported) <= UNSUPPORTED_NAMED:   # not 10,000 lines for the images
            click.echo(str(p), err=True)

    try:
        report = build_index(paths, index_dir, rebuild=rebuild, procs=procs,
                             progress=None if not quiet else False, follow_links=follow_links,
                             fetch_articles=fetch_articles, fetcher=fetcher,
                             max_bytes=max_mb * 1024 * 1024, on_problem=report_problem)
    except store.IndexLocked as exc:
        raise Locked(str(exc)) from None
    except store.DiskFull as exc:
        raise DiskFull(str(exc)) from None
    except store.IndexDamaged as exc:
        raise Damaged(str(exc)) from None
    except FileNotFoundError as exc:
        raise BadUsage(str(exc)) from None
    if len(unsupported) > UNSUPPORTED_NAMED:
        click.echo(f"unsupported: ... and {len(unsupported) - UNSUPPORTED_NAMED} more files of other types", err=True)
    if report.created:
        click.echo(f"created a new index at {index_dir}/", err=True)
    click.echo(report.summary())
    if not quiet:
        rate = report.documents / report.seconds if report.seconds else 0
        click.echo(f"{report.documents} stories written in {report.seconds:.1f}s ({rate:,.0f}/s); "
                   f"{report.total_documents} in the index at {index_dir}/")
    if report.skipped:
        click.get_current_context().exit(EXIT_SKIPPED)


@main.command("prune", cls=IndexCommand)
@click.option("--fetched-before", "before", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Delete the archive's copies of feeds and articles fetched by runs before this date (UTC).")
def prune_cmd(before):
    """Delete old copies of fetched feeds and articles (INDEX/fetched/*.warc.gz).

    The stories stay in the index; a later `index --rebuild` can no longer bring back
    those of them that had left their feed, and names them.
    """
    from indexer.read import fetched
    index_dir = chosen_index_dir()
    if not index_dir.is_dir():
        raise NoIndex(f"no index at {index_dir}/ - nothing to prune")
    try:
        with store.indexer_lock(index_dir):
            gone = fetched.prune(index_dir, before.date())
    except store.IndexLocked as exc:
        raise Locked(str(exc)) from None
    for path, size in gone:
        click.echo(f"deleted {path} ({size:,} bytes)")
    left = fetched.files(index_dir)
    click.echo(f"pruned {len(gone)} files, {sum(s for _, s in gone):,} bytes; {len(left)} files, "
               f"{sum(p.stat().st_size for p in left):,} bytes kept in {index_dir / fetched.FOLDER}/")



@main.command("serve", cls=IndexCommand)
@click.option("--host", default=None, help="Address to listen on [default: web.serve.DEFAULT_HOST, 127.0.0.1].")
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port to listen on [default: web.serve.DEFAULT_PORT, 8000].")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker processes; searching is CPU-bound: about one per core [default: web.serve.DEFAULT_WORKERS].")
@click.option("--base-url", envvar="NEWSFACET_BASE_URL", default=None,
              help="The site's public address, for links in feeds and exports [default: http://HOST:PORT]; "
                   "the request's Host header is never used.")
def serve_cmd(host, port, workers, base_url):
    """Serve the search page and the JSON API under gunicorn (a reindex is picked up live)."""
    from web.serve import DEFAULT_HOST, DEFAULT_PORT, CannotListen, base_url_for, check_port, serve
    if base_url is not None:
        try:
            base_url_for("", 0, base_url)
        except ValueError as exc:
            raise BadUsage(str(exc)) from None
    try:    # one line now, not gunicorn's five retries; under make (MAKELEVEL is set) the hint is make's
        check_port(host or DEFAULT_HOST, port or DEFAULT_PORT,
                   "PORT={port} make run" if os.environ.get("MAKELEVEL") else "--port {port}")
    except CannotListen as exc:
        raise BadUsage(str(exc)) from None
    index_dir = chosen_engine() or chosen_index_dir()      # a solr:// URL: every worker opens the engine
    if chosen_engine():
        click.echo(f"serving the engine {index_dir}", err=True)
    elif store.live_dir(index_dir) is None:
        click.echo(f"warning: no index at {index_dir}/ yet; the site says so until `newsfacet index` runs",
                   err=True)
    else:
        click.echo(f"serving the index at {index_dir}/", err=True)
    given = {"host": host, "port": port, "workers": workers, "base_url": base_url}   # defaults: web.serve's
    serve(index_dir, **{k: v for k, v in given.items() if v is not None})


main.add_command(search_cmd)
main.add_command(stats_cmd)
main.add_command(check_cmd)
main.add_command(setup_cmd)       # `newsfacet --engine URL setup` (cli/engines.py)
main.add_command(entities_cmd)    # `newsfacet entities FILE [--explain]` (cli/entities.py)


