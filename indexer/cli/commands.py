"""The `newsfacet` command: index, search, stats, check, entities, serve.

Only argument handling and printing live here; the work is in build.py, search.py
and entities.py, which the web app shares.

Exit codes (also in the README), each carried by the exception that ends the command:
  0  done
  1  done, but some files or records were skipped (each reported on stderr)
  2  bad usage: unknown option, a path or parameter that is not valid   (BadUsage, click.UsageError)
  3  another indexer holds the index folder's lock                       (Locked)
  4  there is no index yet (run `newsfacet index`)                        (NoIndex)
  5  the disk filled up; nothing of the run was kept, the index is as it was (DiskFull)
  6  the index is damaged: a file missing, cut short or not matching its checksum (Damaged)

The index folder is given once for all commands: `newsfacet --index-dir D search …`,
or after the command as before (`newsfacet search … --index-dir D`); else
$NEWSFACET_INDEX; else the checkout's `index/` (store.default_index_dir). Every
command says which folder it used, as an absolute path.
"""
from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import click

from indexer.index import store
from indexer.engines import EngineError
from .engines import EngineFailed, setup_cmd
from .entities import entities_cmd

EXIT_SKIPPED = 1
UNSUPPORTED_NAMED = 20      # files of other types named one by one; past that, counted in one line


class CliError(click.ClickException):
    """An error printed as `error: …` on stderr, ending the command with `exit_code`."""
    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


class BadUsage(CliError):
    exit_code = 2


class Locked(CliError):
    exit_code = 3


class NoIndex(CliError):
    exit_code = 4


class DiskFull(CliError):
    exit_code = 5


class Damaged(CliError):
    exit_code = 6


def _remember_index_dir(ctx: click.Context, param: click.Parameter, value: Path | None) -> None:
    """Keep the folder where every command finds it (`_index_dir`): given after the command's
    name, it wins over the group's, which already holds $NEWSFACET_INDEX when that is set."""
    if value is not None:
        ctx.ensure_object(dict)["index_dir"] = value


# `--index-dir`, declared once: on the group (`newsfacet --index-dir D search ...`, as click has shared
# options), and by `IndexCommand` after the name of each command that reads the index (`newsfacet index
# seeds --index-dir D`, the spelling of the README and the Makefile). Either way it lands in `_index_dir`.
_INDEX_DIR = {"type": click.Path(file_okay=False, path_type=Path), "default": None, "expose_value": False,
              "callback": _remember_index_dir}


class IndexCommand(click.Command):
    """A command that reads or writes the index folder: it also takes `--index-dir` after its name."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(click.Option(["--index-dir"], help="Index folder (the same as `newsfacet --index-dir`).",
                                        **_INDEX_DIR))


class QueryCommand(IndexCommand):
    """A command whose free words are a query: `newsfacet search -brazil coffee` searches for
    stories without Brazil, as `?q=-brazil coffee` does, instead of failing on an unknown
    option `-b`. Known options (with their values) are taken wherever they stand; every other
    word, dashes and all, goes to the query."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {name: not (p.is_flag or p.count)
                       for p in self.get_params(ctx) if isinstance(p, click.Option)
                       for name in p.opts + p.secondary_opts}
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words.extend(rest)
                break
            name = arg.split("=", 1)[0] if arg.startswith("--") else arg
            if name not in takes_value:
                words.append(arg)
                continue
            options.append(arg)
            if takes_value[name] and name == arg:
                value = next(rest, None)         # `--country -x` is an option and its value
                if value is not None:
                    options.append(value)
        return super().parse_args(ctx, options + ["--"] + words)


def _index_dir() -> Path:
    """The command's --index-dir, else the group's (or $NEWSFACET_INDEX), else the default; absolute."""
    ctx = click.get_current_context(silent=True)
    given = (ctx.find_object(dict) or {}).get("index_dir") if ctx else None
    return Path(given).absolute() if given is not None else store.default_index_dir()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsfacet")
@click.option("--index-dir", envvar=store.ENV_INDEX,
              help="Index folder [default: $NEWSFACET_INDEX, else the checkout's index/].", **_INDEX_DIR)
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
    if _engine():
        from .engines import index_on_engine
        return index_on_engine(_engine(), paths, rebuild, max_mb, follow_links, quiet, BadUsage, EXIT_SKIPPED,
                               fetch_articles=fetch_articles, fetcher=fetcher)
    index_dir = _index_dir()
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
    index_dir = _index_dir()
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


def _engine() -> str | None:
    """The engine URL of `--engine` / $NEWSFACET_ENGINE, checked; None: the Whoosh index folder."""
    ctx = click.get_current_context(silent=True)
    url = ((ctx.find_object(dict) or {}).get("engine") if ctx else None) or None
    if url:
        from indexer.engines import is_engine_url
        if not is_engine_url(url):
            raise BadUsage(f"--engine takes a solr://host:port/collection URL (got {url!r})")
    return url


def _open_archive():
    from indexer.search import Archive
    if _engine():
        from indexer.search import open_archive
        return open_archive(_engine())
    archive = Archive(_index_dir())
    try:
        archive.generation
    except store.IndexNotFound as exc:
        raise NoIndex(str(exc)) from None
    except store.IndexDamaged as exc:
        raise Damaged(str(exc)) from None
    return archive


class FacetQueryCommand(QueryCommand):
    """A query command with one `--<param>` option per facet of the registry (facets.FACETS) as it is
    when the command runs, after `--match`: a facet registered after this module was imported has
    its option too."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        from indexer.facets import FACETS
        params = super().get_params(ctx)
        at = next(i for i, p in enumerate(params) if p.name == "match") + 1
        return params[:at] + _facet_options(FACETS.version) + params[at:]


@functools.lru_cache(maxsize=4)
def _facet_options(version: int) -> list[click.Option]:
    from indexer.facets import FACETS
    return [click.Option([f"--{spec.param}", spec.param], multiple=True, help=spec.cli_help) for spec in FACETS]


def _match_option(command):
    from indexer.facets import DEFAULT_MATCH, MATCHES
    return click.option("--match", type=click.Choice(MATCHES), default=DEFAULT_MATCH, show_default=True,
                        help="Facets and filters by every mention, or by what a story is about.")(command)


@main.command("search", cls=FacetQueryCommand)
@click.argument("query", nargs=-1)
@_match_option
@click.option("--from", "date_from", default="", help="From this date (YYYY-MM-DD).")
@click.option("--to", "date_to", default="", help="Up to this date (YYYY-MM-DD).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--per-page", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result object (the same as GET /api/search).")
def search_cmd(query, date_from, date_to, sort, page, per_page, as_json, match, **facets):
    """Search the index: words (AND), "phrases", OR, NOT, title:/org:/country: fields, prefix*.

    Facet options take a value, a name or an alias (`--country Brazil` is BR), as the web does.
    """
    from indexer.search import QueryError, parse_request

    params = {"q": [" ".join(query)], **{k: list(v) for k, v in facets.items()}, "match": [match],
              "from": [date_from], "to": [date_to], "sort": [sort], "page": [str(page)],
              "per_page": [str(per_page)]}
    try:
        req = parse_request(params)
        archive = _open_archive()
        result = archive.search(req)
    except QueryError as exc:
        raise BadUsage(str(exc)) from None
    except store.IndexDamaged as exc:
        raise Damaged(str(exc)) from None
    except EngineError as exc:
        raise EngineFailed(str(exc)) from None
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    _print_result(result)
    if not result.total and not _engine() and archive.document_count() == 0:
        click.echo("note: this archive has no stories yet: add files to a folder and run `newsfacet index FOLDER`")
    click.echo(f"\nindex: {_engine() or str(_index_dir()) + '/'}")


def _plain(snippet_html: str) -> str:
    import html
    return html.unescape(snippet_html.replace("<mark>", "[").replace("</mark>", "]"))


def _print_result(result) -> None:
    click.echo(f"{result.total} stories ({result.took_ms} ms), page {result.page} of {result.pages}"
               + (f", sorted by {result.sort}" if result.sort != "relevance" else ""))
    if result.notice:
        click.echo(f"note: {result.notice}")
    if result.showing_results_for:
        click.echo(f"showing results for: {result.showing_results_for} (nothing found for {result.query})")
    elif result.suggestion:
        click.echo(f"did you mean: {result.suggestion}")
    for i, hit in enumerate(result.hits, start=(result.page - 1) * len(result.hits) + 1):
        click.echo("")
        click.echo(f"{i}. {hit.title}")
        click.echo(f"   {hit.date or 'undated'}  {hit.dateline}  [{hit.id}]")
        click.echo(f"   {_plain(hit.snippet)}")
        tags = [r.label for refs in hit.chips.values() for r in refs]      # every facet with chips on hits
        if tags:
            click.echo(f"   {', '.join(tags)}")
    for name, values in result.facets.items():
        if values:
            top = ", ".join(f"{v.label} ({v.count})" for v in values[:8])
            click.echo(f"\n{name}: {top}")


@main.command("stats", cls=IndexCommand)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--sizes", "with_sizes", is_flag=True,
              help="Also each field's share of the index: postings, term texts, stored texts (estimated).")
def stats_cmd(as_json, with_sizes):
    """Documents, date span, top facet values and index size (the index's checksums verified first)."""
    try:
        archive = _open_archive()
        stats = archive.stats()
        if with_sizes:
            stats["sizes"] = archive.sizes()
    except store.IndexDamaged as exc:
        raise Damaged(str(exc)) from None
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    if _engine():
        from .engines import print_stats
        return print_stats(stats)
    click.echo(f"index:      {_index_dir()}/ ({stats['generation']}, {stats['index_bytes'] / 1e6:.1f} MB)")
    click.echo(f"documents:  {stats['documents']} ({stats['undated']} undated)")
    click.echo(f"dates:      {stats['first_date'] or '-'} .. {stats['last_date'] or '-'}")
    for name, values in stats["facets"].items():
        click.echo(f"{name + ':':11} " + (", ".join(f"{v['label']} ({v['count']})" for v in values) or "-"))
    if with_sizes:
        _print_sizes(stats["sizes"])


def _print_sizes(sizes: dict) -> None:
    total = sizes["total"] or 1
    click.echo(f"\n{'field':<20} {'terms':>9} {'postings':>12} {'term texts':>11} {'stored~':>11} {'share':>6}")
    for f in sizes["fields"]:
        own = f["postings"] + f["term_index"] + f["stored"]
        if own:
            click.echo(f"{f['name']:<20} {f['terms']:>9,} {f['postings']:>12,} {f['term_index']:>11,} "
                       f"{f['stored']:>11,} {100 * own / total:>5.1f}%")
    parts = ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(sizes["parts"].items()) if v)
    beside = ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(sizes["beside"].items()) if v > 1e5)
    click.echo(f"segments: {parts}; beside them: {beside or '-'}")
    click.echo(f"(stored~: estimated from {sizes['sampled']:,} stories; the term index also holds each "
               "term's statistics)")


@main.command("check", cls=IndexCommand)
def check_cmd():
    """Verify every file of the live index against the checksums written with it (reads it all).

    Exit 0 when it is sound, 6 naming the first damaged file, 4 when there is no index.
    """
    from indexer.index import checksums
    index_dir = _index_dir()
    gen = store.live_dir(index_dir)
    if gen is None:
        raise NoIndex(f"no index at {index_dir}/ - run `newsfacet index` first")
    try:
        verified = store.verify_generation(gen)
    except store.IndexDamaged as exc:
        raise Damaged(str(exc)) from None
    if checksums.load(gen) is None:
        click.echo(f"note: the index at {gen} has no checksums yet (written before they existed); "
                   "the next `newsfacet index` run adds them", err=True)
    click.echo(f"ok: {verified} files of {gen} match their checksums")


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
    index_dir = _engine() or _index_dir()      # a solr:// URL: every worker opens the engine
    if _engine():
        click.echo(f"serving the engine {index_dir}", err=True)
    elif store.live_dir(index_dir) is None:
        click.echo(f"warning: no index at {index_dir}/ yet; the site says so until `newsfacet index` runs",
                   err=True)
    else:
        click.echo(f"serving the index at {index_dir}/", err=True)
    given = {"host": host, "port": port, "workers": workers, "base_url": base_url}   # defaults: web.serve's
    serve(index_dir, **{k: v for k, v in given.items() if v is not None})


main.add_command(setup_cmd)       # `newsfacet --engine URL setup` (cli/engines.py)
main.add_command(entities_cmd)    # `newsfacet entities FILE [--explain]` (cli/entities.py)


if __name__ == "__main__":
    main()

