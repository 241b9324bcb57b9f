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

.PHONY: run index serve test test-fast eval eval-html bench soak clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

index: $(STAMP)
	$(BIN)/newsfacet index $(SEEDS) --index-dir $(INDEX)

run: index
	@echo "index: $(abspath $(INDEX))/ -- serving http://$(HOST):$(PORT)/ (Ctrl-C stops)"
	$(BIN)/newsfacet serve --index-dir $(INDEX) --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: $(STAMP)
	$(BIN)/python -m pytest -q -m "not soak"

eval: $(STAMP)
	$(BIN)/python -m indexer.evaluate

# The HTML reader against trafilatura's evaluation pages (../shared/corpus/web-pages.tar.gz, read in place).
eval-html: $(STAMP)
	$(BIN)/python -m indexer.evaluate_html

bench: $(STAMP)
	$(BIN)/python -m tests.bench

soak: $(STAMP)
	$(BIN)/python -m pytest -q -m soak tests/reliability

clean:
	rm -rf $(VENV) $(INDEX)/current $(INDEX)/gen-* $(INDEX)/.lock .pytest_cache
