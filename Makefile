# NewsFacet: `make run` and `make test` do all the set-up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 2
INDEX  ?= index
SEEDS  ?= seeds
# What `make screenshot` photographs: the archive `make run` serves, indexed into a temporary folder.
SCREENSHOT_ARCHIVE ?= $(SEEDS)
SCREENSHOT_PATH    ?= /?q=unicef

.PHONY: run index test lint eval eval-html bench bench-big timing soak clean install screenshot cluster cluster-stop

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,lint]'
	touch $(STAMP)

install: $(STAMP)

index: $(STAMP)
	$(BIN)/newsfacet index $(SEEDS) --index-dir $(INDEX)

run: index
	@echo "index: $(abspath $(INDEX))/ -- serving http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(BIN)/newsfacet serve --index-dir $(INDEX) --host $(HOST) --port $(PORT) --workers $(WORKERS)

# No test here asserts a speed (those are marked `timing` and run by make bench); the reliability tests'
# bounds (2-10 s a request) only catch a request the cost budget failed to stop.
# Two processes (pytest-xdist), each running whole test files so module fixtures are built
# once; the corpus indexes are built once per run for both (tests/corpora.py, built_once); the
# costliest files first (tests/conftest.py HEAVY_FIRST; --no-loadscope-reorder keeps that order),
# so both processes end together. Measured on 2 cores shared with other suites, with the CI
# flags: 15-19 min and 14.9-15.6 CPU-min with the Solr JVMs at load 1-8 (was 25 min, 17.4 CPU-min
# at load 7-11); idle, from a fresh clone: 2,707 tests in 509 s on an Intel 2-core machine, 2,714 in 364 s
# (9.6 CPU-min) on an AMD EPYC one (2026-12-06). TEST_PROCS=0: one process.
TEST_PROCS ?= 2
test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not soak and not timing" -n $(TEST_PROCS) --dist loadfile --no-loadscope-reorder --durations=15

# The imports DESIGN.md allows between the parts (import-linter contracts in pyproject.toml)
# and ruff's checks (rules chosen there). Neither rewrites a file.
lint: $(STAMP)
	$(BIN)/lint-imports --no-cache
	$(BIN)/ruff check .

eval: $(STAMP)
	$(BIN)/python -m tests.eval.entities
	$(BIN)/python -m tests.eval
	$(BIN)/python -m tests.eval.languages
	$(BIN)/python -m tests.eval.patterns
	$(BIN)/python -m tests.eval.mixed

# The HTML reader against trafilatura's evaluation pages (../shared/corpus/web-pages.tar.gz, read in place).
eval-html: $(STAMP)
	$(BIN)/python -m tests.eval.html

# The speed checks of the test suite (`timing` marker), then the benchmark report.
bench: timing
	$(BIN)/python -m tests.bench

# Issue 20's scale: 10x and 50x Reuters (1,078,900 stories, renamed copies as the 10x run) beside
# FTS5; the 10x index of an earlier run is reused (its marker keeps the rate it was built at).
# Needs ~9 GB of disk under .bench/ and ~35 minutes on 2 idle cores (32 min on 2026-12-06); report in bench-big-report.json.
bench-big: $(STAMP)
	$(BIN)/python -m tests.bench --scale 10,50 --reuse --no-pages --report bench-big-report.json

timing: $(STAMP)
	$(BIN)/python -m pytest -q -m timing

soak: $(STAMP)
	$(BIN)/python -m pytest -q -m soak tests/reliability tests/web/test_request_sequences.py

# docs/screenshot.png, reproducibly: SCREENSHOT_ARCHIVE (default: SEEDS) indexed into a temporary
# folder, served, and photographed by Debian's chromium (apt-get install chromium).
screenshot: $(STAMP)
	$(BIN)/python tests/e2e/make_screenshot.py --archive $(SCREENSHOT_ARCHIVE) --path '$(SCREENSHOT_PATH)' --out docs/screenshot.png

# A local SolrCloud (issue 23): ZooKeeper + 2 Solr 9.10.1 nodes on 127.0.0.1, each its own JVM; the
# collection `newsfacet` (2 shards x 2 replicas). The first run fetches Solr's jars with Maven.
# Writes .cluster/engine (the solr:// URL for --engine / $$NEWSFACET_ENGINE) and .cluster/node-N.pid.
cluster: $(STAMP)
	$(BIN)/python tests/solrcluster/cluster.py start --dir .cluster

cluster-stop:
	$(PYTHON) tests/solrcluster/cluster.py stop --dir .cluster

clean:
	rm -rf $(VENV) $(INDEX)/current $(INDEX)/gen-* $(INDEX)/.lock .pytest_cache
