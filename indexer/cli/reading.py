"""The commands that read an index: `search` (one `--<param>` option per registered facet),
`stats` and `check`. Argument handling and printing only; the work is in indexer/search.py."""
from __future__ import annotations

import functools
import json

import click

from indexer.engines import EngineError
from indexer.index import store
from .base import BadUsage, Damaged, IndexCommand, NoIndex, QueryCommand, chosen_engine, chosen_index_dir, open_chosen_archive
from .engines import EngineFailed

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


@click.command("search", cls=FacetQueryCommand)
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
        archive = open_chosen_archive()
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
    if not result.total and not chosen_engine() and archive.document_count() == 0:
        click.echo("note: this archive has no stories yet: add files to a folder and run `newsfacet index FOLDER`")
    click.echo(f"\nindex: {chosen_engine() or str(chosen_index_dir()) + '/'}")


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


@click.command("stats", cls=IndexCommand)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--sizes", "with_sizes", is_flag=True,
              help="Also each field's share of the index: postings, term texts, stored texts (estimated).")
def stats_cmd(as_json, with_sizes):
    """Documents, date span, top facet values and index size (the index's checksums verified first)."""
    try:
        archive = open_chosen_archive()
        stats = archive.stats()
        if with_sizes:
            stats["sizes"] = archive.sizes()
    except store.IndexDamaged as exc:
        raise Damaged(str(exc)) from None
    if as_json:
        click.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    if chosen_engine():
        from .engines import print_stats
        return print_stats(stats)
    click.echo(f"index:      {chosen_index_dir()}/ ({stats['generation']}, {stats['index_bytes'] / 1e6:.1f} MB)")
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


@click.command("check", cls=IndexCommand)
def check_cmd():
    """Verify every file of the live index against the checksums written with it (reads it all).

    Exit 0 when it is sound, 6 naming the first damaged file, 4 when there is no index.
    """
    from indexer.index import checksums
    index_dir = chosen_index_dir()
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
