# The two newcomer commands: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Datasette's port for `make demo` (make demo PORT=8002)
PORT ?= 8001

.PHONY: demo test install lint bench system-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/fanwen demo --port $(PORT)

system-deps:
	bash scripts/system-deps.sh

test: $(STAMP) system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check fanwen crawler pipelines browse tests bench scripts setup.py

bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[dev,bench]'
	for b in extraction crawl_throughput search export recrawl startup lifecycle dedupe; do $(BIN)/python bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
