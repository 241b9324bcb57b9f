"""`newsfacet entities FILE [--explain]`: what the extractor finds in each record, as JSON lines.

Its own module so that the CLI's main file stays about arguments of the index and the
search; it reads records with the indexer's own reader and extracts as `prepare` does.
"""
from __future__ import annotations

import json
from pathlib import Path

import click

EXIT_SKIPPED = 1        # as the CLI's: done, but some records were skipped


@click.command("entities")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--explain", is_flag=True,
              help="Also say why each value was given: the rule and its evidence (under \"why\").")
def entities_cmd(file, explain):
    """Print the countries, organisations, companies and people found in each record of a .jsonl[.gz] FILE
    (what each story is about, and under "mentioned" every value it names).

    Records are read by the indexer's own reader, so the dateline, date and title the
    extractor sees are the ones `newsfacet index` gives it.
    """
    from indexer.read.documents import read_file
    from indexer.index.prepare import extract, language_and_dateline

    docs, problems = read_file(file, file.parent)
    for problem in problems:
        click.echo(str(problem), err=True)
    for doc in docs:
        lang, dateline, _ = language_and_dateline(doc)
        ents = extract(doc, lang, dateline)
        click.echo(json.dumps({
            "id": doc.id,
            "countries": [{"code": c.code, "name": c.name} for c in ents.countries],
            "organisations": [{"name": o.name, "acronym": o.acronym, "kind": o.kind}
                              for o in ents.organisations],
            "companies": [{"name": c.name, "value": c.key} for c in ents.companies],
            "people": ents.people,
            "mentioned": {"countries": [c.code for c in ents.countries_mentioned],
                          "organisations": [o.key for o in ents.organisations_mentioned],
                          "companies": [c.key for c in ents.companies_mentioned],
                          "people": ents.people_mentioned},
            **({"why": _why(doc, lang, dateline)} if explain else {}),
        }, ensure_ascii=False))
    if any(p.skipped for p in problems):
        click.get_current_context().exit(EXIT_SKIPPED)


def _why(doc, lang: str, dateline: str) -> list[dict]:
    """`entities --explain`: each value with the rule and the evidence (indexer/extract/explain.py)."""
    from indexer.extract import gazetteer
    from indexer.extract.explain import explain
    with gazetteer.in_language(lang):
        return explain(doc.title or "", doc.body or "", dateline, doc.date)
