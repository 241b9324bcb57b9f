"""The `newsfacet` commands' engine side: `setup`, `index` and `stats` over a SolrCloud collection.

Kept out of commands.py so that the Whoosh commands read as before; commands.py hands over here when
`--engine` (or $NEWSFACET_ENGINE) names a `solr://` URL.
"""
from __future__ import annotations

import time
from pathlib import Path

import click

from indexer.engines import EngineError

EXIT_ENGINE = 7          # the engine could not be reached or refused the request


class EngineFailed(click.ClickException):
    exit_code = EXIT_ENGINE

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


def _client(url: str):
    from indexer.engines.solr.client import SolrClient
    return SolrClient(url, timeout=180)


def index_on_engine(url: str, paths, rebuild: bool, max_mb: int, follow_links: bool, quiet: bool,
                    bad_usage, exit_skipped: int, fetch_articles: bool = False, fetcher=None) -> None:
    from indexer.index.feeds import is_url
    from indexer.engines.solr.indexing import index

    wanted = [p if is_url(p) else Path(p) for p in paths] or [Path("seeds")]
    skipped = []

    def problem(p):
        click.echo(str(p), err=True)
        if p.skipped:
            skipped.append(p)

    started = time.perf_counter()
    try:
        report = index(_client(url), wanted, rebuild=rebuild, max_bytes=max_mb * 1024 * 1024,
                       follow_links=follow_links, on_problem=problem, fetch_articles=fetch_articles, fetcher=fetcher)
    except FileNotFoundError as exc:
        raise bad_usage(str(exc)) from None
    except EngineError as exc:
        raise EngineFailed(f"{exc} (what was sent before stays; run the same command again to send the rest)") \
            from None
    seconds = time.perf_counter() - started
    click.echo(report.summary())
    if not quiet:
        rate = report.documents / seconds if seconds else 0
        click.echo(f"{report.documents} stories sent in {seconds:.1f}s ({rate:,.0f}/s) to {url}")
    if skipped:
        click.get_current_context().exit(exit_skipped)


def print_stats(stats: dict) -> None:
    click.echo(f"engine:     {stats['engine']} ({stats['shards']} shards, {stats['replicas']} replicas, "
               f"{stats['live_nodes']} live nodes)")
    click.echo(f"documents:  {stats['documents']} ({stats['undated']} undated)")
    click.echo(f"dates:      {stats['first_date'] or '-'} .. {stats['last_date'] or '-'}")
    for name, values in stats["facets"].items():
        click.echo(f"{name + ':':11} " + (", ".join(f"{v['label']} ({v['count']})" for v in values) or "-"))


@click.command("setup")
@click.option("--shards", type=click.IntRange(1), default=2, show_default=True)
@click.option("--replicas", type=click.IntRange(1), default=2, show_default=True)
@click.pass_context
def setup_cmd(ctx: click.Context, shards: int, replicas: int) -> None:
    """Upload NewsFacet's configset to the SolrCloud of --engine and create its collection."""
    url = (ctx.find_object(dict) or {}).get("engine")
    if not url:
        raise click.UsageError("setup needs --engine solr://host:port/collection (or $NEWSFACET_ENGINE)")
    try:
        click.echo(_client(url).setup(shards=shards, replicas=replicas))
    except EngineError as exc:
        raise EngineFailed(str(exc)) from None
