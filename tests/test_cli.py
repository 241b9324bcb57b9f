"""The `newsfacet` command: output, JSON contract and exit codes (click's CliRunner)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.index import store
from indexer.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def seed_index(runner, seeds_dir, tmp_path) -> Path:
    ix = tmp_path / "ix"
    result = runner.invoke(main, ["index", str(seeds_dir), "--index-dir", str(ix)])
    assert result.exit_code == 0, result.output
    return ix


def test_index_prints_the_summary_line(runner, seeds_dir, tmp_path):
    result = runner.invoke(main, ["index", str(seeds_dir), "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 0
    assert "indexed 1 new, 0 changed, 0 removed stories, 0 skipped" in result.output
    again = runner.invoke(main, ["index", str(seeds_dir), "--index-dir", str(tmp_path / "ix")])
    assert "indexed 0 new, 0 changed, 0 removed stories, 0 skipped" in again.output


def test_index_dir_from_environment(runner, seeds_dir, tmp_path):
    ix = tmp_path / "env-ix"
    result = runner.invoke(main, ["index", str(seeds_dir)], env={"NEWSFACET_INDEX": str(ix)})
    assert result.exit_code == 0 and store.live_dir(ix) is not None


def test_seed_end_to_end_unicef(runner, seed_index):
    result = runner.invoke(main, ["search", "UNICEF", "--json", "--index-dir", str(seed_index)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"query", "total", "page", "pages", "took_ms", "suggestion", "hits", "facets"}
    assert data["total"] == 1
    hit = data["hits"][0]
    assert hit["date"] == "2026-02-09" and hit["dateline"] == "ASHGABAT, Turkmenistan"
    assert "<mark>UNICEF</mark>" in hit["snippet"]
    orgs = {o["label"] for o in hit["organisations"]}
    assert {"UN", "UNDP", "WHO", "UNICEF", "UNODC", "CIS"} <= orgs
    assert {"value": "TM", "label": "Turkmenistan"} in hit["countries"]
    facet_countries = {f["value"]: f["count"] for f in data["facets"]["country"]}
    assert facet_countries["TM"] == 1 and facet_countries["BY"] == 1
    for name in ("date", "organisation", "country"):
        for entry in data["facets"][name]:
            assert {"value", "label", "count"} <= set(entry)


def test_search_readable_listing_and_filters(runner, seed_index):
    out = runner.invoke(main, ["search", "UNICEF", "--country", "Turkmenistan", "--index-dir", str(seed_index)])
    assert out.exit_code == 0 and out.output.startswith("1 stories")
    assert "[UNICEF]" in out.output and "2026-02-09" in out.output
    # issue 18.3: a country NewsFacet knows that no story holds yet is a filter finding 0 stories, by its
    # code or its name; only text that names nothing is refused (exit 2), with the nearest known names
    for country in ("BR", "Ukraine", "UA"):
        none = runner.invoke(main, ["search", "UNICEF", "--country", country, "--json", "--index-dir", str(seed_index)])
        assert none.exit_code == 0, none.output
        assert json.loads(none.output)["total"] == 0
    bad = runner.invoke(main, ["search", "UNICEF", "--country", "Atlantis", "--index-dir", str(seed_index)])
    assert bad.exit_code == 2 and "'Atlantis'" in bad.output and "did you mean" in bad.output


def test_a_query_that_starts_with_a_dash_is_a_query(runner, tmp_path):
    """issue 21: `newsfacet search '-brazil'` was "No such option '-b'"; it is the query `-brazil`,
    wherever the options stand, while the command's own options still work beside it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.txt").write_text("Coffee prices\n\nBrazil harvests more coffee this year.\n", encoding="utf-8")
    (docs / "b.txt").write_text("Coffee prices\n\nKenya harvests more coffee this year.\n", encoding="utf-8")
    (docs / "c.txt").write_text("Tea prices\n\nKenya harvests more tea this year.\n", encoding="utf-8")
    ix = str(tmp_path / "ix")
    assert runner.invoke(main, ["index", str(docs), "--index-dir", ix]).exit_code == 0

    def ids(*args):
        result = runner.invoke(main, ["search", "--json", "--index-dir", ix, *args])
        assert result.exit_code == 0, result.output
        return sorted(h["title"] + h["snippet"] for h in json.loads(result.output)["hits"])

    without_brazil = ids("-brazil", "coffee")
    assert len(without_brazil) == 1 and "Kenya" in without_brazil[0]
    assert ids("coffee", "-brazil") == without_brazil
    assert ids("--per-page", "5", "-brazil", "coffee", "--sort", "newest") == without_brazil
    assert len(ids("-brazil")) == 2                       # a query of one negated word
    assert ids("--", "-brazil", "coffee") == without_brazil
    unknown = runner.invoke(main, ["search", "coffee", "--sort", "sideways", "--index-dir", ix])
    assert unknown.exit_code == 2                          # a known option's bad value is still refused


@pytest.mark.parametrize("args, message", [
    (["--from", "2026-13-01"], "'from' must be a date"),
    (["--to", "soon"], "'to' must be a date"),
])
def test_search_bad_parameters_exit_2(runner, seed_index, args, message):
    result = runner.invoke(main, ["search", "x", *args, "--index-dir", str(seed_index)])
    assert result.exit_code == 2 and message in result.output


def test_no_index_exit_4(runner, tmp_path):
    for cmd in (["search", "x"], ["stats"]):
        result = runner.invoke(main, [*cmd, "--index-dir", str(tmp_path / "none")])
        assert result.exit_code == 4 and "run `newsfacet index` first" in result.output


def test_missing_path_exit_2(runner, tmp_path):
    result = runner.invoke(main, ["index", str(tmp_path / "nope"), "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 2 and "no such file or folder" in result.output


def test_skipped_files_exit_1_and_are_named(runner, tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "good.txt").write_text("A good story.\n")
    (docs / "bad.json").write_text("{oops")
    result = runner.invoke(main, ["index", str(docs), "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert "bad.json" in result.output and "indexed 1 new, 0 changed, 0 removed stories, 1 skipped" in result.output
    assert "Traceback" not in result.output


def test_locked_exit_3(runner, seeds_dir, tmp_path):
    ix = tmp_path / "ix"
    with store.indexer_lock(ix):
        result = runner.invoke(main, ["index", str(seeds_dir), "--index-dir", str(ix)])
    assert result.exit_code == 3 and "another `newsfacet index`" in result.output


def test_stats(runner, seed_index):
    result = runner.invoke(main, ["stats", "--json", "--index-dir", str(seed_index)])
    data = json.loads(result.output)
    assert data["documents"] == 1 and data["first_date"] == "2026-02-09"
    assert any(v["value"] == "TM" for v in data["facets"]["country"])
    text = runner.invoke(main, ["stats", "--index-dir", str(seed_index)])
    assert "documents:  1" in text.output


def test_stats_sizes_show_each_fields_share(runner, seed_index):
    """issue 20.3: `stats --sizes` says where the bytes go, per field: postings (exact, they add up
    to the segments' postings part), term texts and the stored texts (estimated)."""
    out = runner.invoke(main, ["stats", "--sizes", "--json", "--index-dir", str(seed_index)])
    assert out.exit_code == 0, out.output
    sizes = json.loads(out.output)["sizes"]
    fields = {f["name"]: f for f in sizes["fields"]}
    assert fields["body"]["postings"] > 0 and fields["body"]["stored"] > 0 and fields["body"]["terms"] > 10
    assert sum(f["postings"] for f in sizes["fields"]) == sizes["parts"]["pst"]
    assert sizes["total"] >= sum(sizes["parts"].values()) and sizes["sampled"] == 1
    text = runner.invoke(main, ["stats", "--sizes", "--index-dir", str(seed_index)]).output
    assert "postings" in text and "body" in text and "%" in text


def test_entities_command(runner, seeds_dir, tmp_path):
    body = (seeds_dir / "000_90e7ea76cff56edb.txt").read_text(encoding="utf-8")
    f = tmp_path / "in.jsonl"
    f.write_text(json.dumps({"id": "seed", "title": "", "body": body}) + "\n{broken\n", encoding="utf-8")
    result = runner.invoke(main, ["entities", str(f)])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["id"] == "seed"
    assert {"code": "TM", "name": "Turkmenistan"} in lines[0]["countries"]
    assert {"name": "United Nations Development Programme", "acronym": "UNDP"} in [
        {"name": o["name"], "acronym": o["acronym"]} for o in lines[0]["organisations"]]
    assert result.exit_code == 1 and "in.jsonl:2" in result.stderr


def test_index_dir_once_on_the_group_and_absolute_everywhere(runner, seeds_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first = runner.invoke(main, ["--index-dir", "rel-ix", "index", str(seeds_dir)])
    assert first.exit_code == 0, first.output
    where = f"{tmp_path / 'rel-ix'}/"
    assert first.output.count(f"created a new index at {where}") == 1 and f"in the index at {where}" in first.output
    again = runner.invoke(main, ["--index-dir", "rel-ix", "index", str(seeds_dir)])
    assert "created a new index" not in again.output
    out = runner.invoke(main, ["--index-dir", "rel-ix", "search", "unicef"])
    assert out.exit_code == 0 and out.output.rstrip().endswith(f"index: {where}")
    stats = runner.invoke(main, ["stats", "--index-dir", "rel-ix"])
    assert f"index:      {where}" in stats.output


def test_index_dir_after_the_command_wins_over_the_group_and_the_environment(runner, seed_index, tmp_path):
    """`--index-dir` is declared once (the group's) and still taken after the command's name."""
    elsewhere = str(tmp_path / "none")
    for args, env in ((["--index-dir", elsewhere, "stats", "--index-dir", str(seed_index)], {}),
                      (["stats", "--index-dir", str(seed_index)], {"NEWSFACET_INDEX": elsewhere})):
        result = runner.invoke(main, args, env=env)
        assert result.exit_code == 0 and f"index:      {seed_index}/" in result.output, args
    assert runner.invoke(main, ["stats"], env={"NEWSFACET_INDEX": elsewhere}).exit_code == 4
    for cmd in ("index", "prune", "search", "stats", "check", "serve"):
        assert "--index-dir" in runner.invoke(main, [cmd, "--help"]).output, cmd
    assert "--index-dir" not in runner.invoke(main, ["entities", "--help"]).output


def test_default_index_dir_does_not_depend_on_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("NEWSFACET_INDEX", raising=False)
    monkeypatch.chdir(tmp_path)
    assert store.default_index_dir() == Path(__file__).resolve().parent.parent / "index"
    monkeypatch.setenv("NEWSFACET_INDEX", "elsewhere")
    assert store.default_index_dir() == tmp_path / "elsewhere"


def test_disk_full_exit_5_one_line_no_traceback(runner, seeds_dir, tmp_path, monkeypatch):
    import indexer.index.build as build

    def full(*a, **k):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(build, "_write", full)
    result = runner.invoke(main, ["index", str(seeds_dir), "--index-dir", str(tmp_path / "ix")])
    assert result.exit_code == 5
    assert result.output.startswith("error: no space left on the disk holding") and "Traceback" not in result.output
    assert result.output.count("\n") == 1


def test_links_out_of_the_folder_are_not_indexed_unless_follow_links(runner, tmp_path):
    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (outside / "doc").mkdir()
    (outside / "doc" / "readme.txt").write_text("Documentation outside the archive.\n", encoding="utf-8")
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "story.txt").write_text("A story inside the archive.\n", encoding="utf-8")
    (archive / "passwd.txt").symlink_to(outside / "passwd")
    (archive / "doc").symlink_to(outside / "doc")
    ix = tmp_path / "ix"
    result = runner.invoke(main, ["index", str(archive), "--index-dir", str(ix), "-q"])
    assert result.exit_code == 1
    assert "passwd.txt: symbolic link to" in result.output and "--follow-links" in result.output
    assert "indexed 1 new" in result.output
    found = runner.invoke(main, ["search", "root", "--index-dir", str(ix)])
    assert found.output.startswith("0 stories")
    followed = runner.invoke(main, ["index", str(archive), "--index-dir", str(tmp_path / "ix2"), "--follow-links", "-q"])
    assert followed.exit_code == 0 and "indexed 3 new" in followed.output


def test_python_dash_m_runs_the_command(tmp_path, seeds_dir):
    """`python -m indexer.cli`, the tests' fallback where the venv has no `newsfacet` script, is the
    same command (it broke when cli.py became a package without a __main__)."""
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-m", "indexer.cli", "index", str(seeds_dir), "--index-dir",
                          str(tmp_path / "ix"), "-q"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "1 new" in run.stdout
    usage = subprocess.run([sys.executable, "-m", "indexer.cli", "--help"], capture_output=True, text=True,
                           timeout=60)
    assert usage.stdout.startswith("Usage: newsfacet ")
