"""What every `newsfacet` command shares: the exit codes and the errors that carry them, the
index folder given once (`--index-dir` on the group or after the command), query commands
whose free words are a query, and opening the archive or the engine the command was pointed at.

Exit codes (also in the README), each carried by the exception that ends the command:
  0  done
  1  done, but some files or records were skipped (each reported on stderr)
  2  bad usage: unknown option, a path or parameter that is not valid   (BadUsage, click.UsageError)
  3  another indexer holds the index folder's lock                       (Locked)
  4  there is no index yet (run `newsfacet index`)                        (NoIndex)
  5  the disk filled up; nothing of the run was kept, the index is as it was (DiskFull)
  6  the index is damaged: a file missing, cut short or not matching its checksum (Damaged)
"""
from __future__ import annotations

from pathlib import Path

import click

from indexer.index import store

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
    """Keep the folder where every command finds it (`chosen_index_dir`): given after the command's
    name, it wins over the group's, which already holds $NEWSFACET_INDEX when that is set."""
    if value is not None:
        ctx.ensure_object(dict)["index_dir"] = value


# `--index-dir`, declared once: on the group (`newsfacet --index-dir D search ...`, as click has shared
# options), and by `IndexCommand` after the name of each command that reads the index (`newsfacet index
# seeds --index-dir D`, the spelling of the README and the Makefile). Either way it lands in `chosen_index_dir`.
INDEX_DIR_OPTION = {"type": click.Path(file_okay=False, path_type=Path), "default": None, "expose_value": False,
              "callback": _remember_index_dir}


class IndexCommand(click.Command):
    """A command that reads or writes the index folder: it also takes `--index-dir` after its name."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(click.Option(["--index-dir"], help="Index folder (the same as `newsfacet --index-dir`).",
                                        **INDEX_DIR_OPTION))


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


def chosen_index_dir() -> Path:
    """The command's --index-dir, else the group's (or $NEWSFACET_INDEX), else the default; absolute."""
    ctx = click.get_current_context(silent=True)
    given = (ctx.find_object(dict) or {}).get("index_dir") if ctx else None
    return Path(given).absolute() if given is not None else store.default_index_dir()



def chosen_engine() -> str | None:
    """The engine URL of `--engine` / $NEWSFACET_ENGINE, checked; None: the Whoosh index folder."""
    ctx = click.get_current_context(silent=True)
    url = ((ctx.find_object(dict) or {}).get("engine") if ctx else None) or None
    if url:
        from indexer.engines import is_engine_url
        if not is_engine_url(url):
            raise BadUsage(f"--engine takes a solr://host:port/collection URL (got {url!r})")
    return url


def open_chosen_archive():
    from indexer.search import Archive
    if chosen_engine():
        from indexer.search import open_archive
        return open_archive(chosen_engine())
    archive = Archive(chosen_index_dir())
    try:
        archive.generation
    except store.IndexNotFound as exc:
        raise NoIndex(str(exc)) from None
    except store.IndexDamaged as exc:
        raise Damaged(str(exc)) from None
    return archive


