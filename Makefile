# Health Equity Leadership Lab — the two set-up commands are `make book` and `make test`.
# Each bootstraps what it needs (Python venv, npm assets) and is fast when already done.
#
#   make book      build the site into _build/html (every page executed, zero warnings)
#   make test      the whole test suite: unit, nbval, book and browser tests
#   make test-spark  stratify on PySpark in local mode (installs requirements-spark.txt; Java 17+)
#   make lab       JupyterLab on exercises/ (installs requirements-lab.txt the first time)
#   make serve     serve the built site on http://127.0.0.1:$(PORT)/
#   make lint      ruff (lint + format check)
#   make exercises re-run the exercise notebooks in place (after editing one)
#   make bench     run the benchmarks (stratify in its own .venv-bench, import time, book build)
#   make clean     remove build output; `make distclean` also removes .venv and node_modules

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
BOOK_FLAGS := -W -n --keep-going
STAMP_VENV := $(VENV)/.installed
STAMP_LAB := $(VENV)/.lab-installed
STAMP_SPARK := $(VENV)/.spark-installed
STAMP_NPM := node_modules/.installed
BENCH_VENV := .venv-bench
STAMP_BENCH := $(BENCH_VENV)/.installed
STAGE := .ci/pytest-stage
# nbval in strict mode (not --nbval-lax) over every exercise notebook.
NBVAL := --nbval exercises/ --nbval-sanitize-with tests/nbval-sanitize.cfg -o testpaths=exercises

.PHONY: help setup book test test-unit test-notebooks test-book test-spark lab serve lint format \
        exercises browser java bench clean distclean

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# --- set-up ------------------------------------------------------------------------------

$(STAMP_VENV): requirements.txt pyproject.toml
	@if [ ! -x $(PY) ]; then \
	  if ! $(PYTHON) -m venv $(VENV) 2>/dev/null; then \
	    rm -rf $(VENV); \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "Installing Debian's python3-venv (needed to create .venv)..."; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv; \
	      $(PYTHON) -m venv $(VENV); \
	    else \
	      echo "error: '$(PYTHON) -m venv' failed. On Debian/Ubuntu: sudo apt-get install python3-venv"; \
	      exit 1; \
	    fi; \
	  fi; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(STAMP_NPM): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	@touch $@

setup: $(STAMP_VENV) $(STAMP_NPM)

# --- the book ----------------------------------------------------------------------------

# Sphinx only re-reads changed pages, so a warning from an unchanged page would not be
# reported again: after a failed build (marker file), the next build re-reads every page.
book: setup
	@mkdir -p _build; \
	if [ "$${CI:-}" = "true" ]; then rm -rf _build/.jupyter_cache; touch _build/.book-failed; fi
	@flags="$(BOOK_FLAGS)"; \
	if [ -f _build/.book-failed ]; then flags="$$flags --all"; fi; \
	touch _build/.book-failed; \
	echo "$(VENV)/bin/jupyter-book build . $$flags"; \
	$(VENV)/bin/jupyter-book build . $$flags; \
	rm -f _build/.book-failed
	@echo
	@echo "The book is built. Open $(CURDIR)/_build/html/index.html in a browser,"
	@echo "or run 'make serve' and visit http://127.0.0.1:$(PORT)/"

serve:
	@test -f _build/html/index.html || { echo "No built site yet: run 'make book' first."; exit 1; }
	@echo "Serving _build/html on http://127.0.0.1:$(PORT)/ (Ctrl+C to stop)"
	$(PY) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

# --- tests -------------------------------------------------------------------------------
# Each stage is timed into _build/test-times.txt (see benchmarks/README.md).

browser:
	@if command -v chromium >/dev/null 2>&1; then \
	  echo "Browser tests will use $$(command -v chromium)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "error: no Chromium found and cannot install it (not root); browser tests cannot run in CI."; \
	  exit 1; \
	else \
	  echo "************************************************************************"; \
	  echo "* WARNING: no Chromium found (install Debian's 'chromium' package).     *"; \
	  echo "* The browser tests will be SKIPPED. Under CI=true they fail instead.  *"; \
	  echo "************************************************************************"; \
	fi

test: _build/.setup-timed
	@rm -f _build/test-times.txt; cat _build/.setup-timed >> _build/test-times.txt
	$(STAGE) lint  -- $(MAKE) --no-print-directory lint
	$(STAGE) unit  -- $(PY) -m pytest -m "not book and not browser and not spark"
	$(STAGE) nbval -- $(PY) -m pytest $(NBVAL)
	$(STAGE) site  -- $(PY) -m pytest -m "book or browser"
	@echo; echo "make test: all stages passed. Stage times (seconds):"; cat _build/test-times.txt

# Time the set-up step on its own (venv, npm assets, Chromium; a no-op when already done).
_build/.setup-timed: FORCE
	@mkdir -p _build; start=$$(date +%s); $(MAKE) --no-print-directory setup browser; \
	echo "setup $$(( $$(date +%s) - start ))" > $@

test-unit: setup
	$(PY) -m pytest -m "not book and not browser and not spark"

test-notebooks: setup
	$(PY) -m pytest $(NBVAL)

test-book: setup browser
	$(PY) -m pytest -m "book or browser"

# --- Spark engine tests (not part of `make test`; .ci/run calls this target after it) -------

$(STAMP_SPARK): $(STAMP_VENV) requirements-spark.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-spark.txt
	@touch $@

# PySpark 4.x runs Spark in a JVM and needs a Java 17+ runtime.
java:
	@if command -v java >/dev/null 2>&1; then \
	  echo "Spark tests will use $$(command -v java): $$(java -version 2>&1 | head -n 1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's openjdk-17-jre-headless for the Spark tests..."; \
	  mkdir -p /usr/share/man/man1; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    openjdk-17-jre-headless >/dev/null; \
	elif [ "$${CI:-}" = "true" ]; then \
	  echo "error: no Java runtime found and cannot install it (needs root and apt-get);" \
	    "Spark tests cannot run in CI."; \
	  exit 1; \
	else \
	  echo "************************************************************************"; \
	  echo "* WARNING: no Java runtime found (install Debian's                     *"; \
	  echo "* 'openjdk-17-jre-headless'). The Spark tests will be SKIPPED.         *"; \
	  echo "* Under CI=true they fail instead.                                     *"; \
	  echo "************************************************************************"; \
	fi

test-spark: $(STAMP_SPARK) java
	$(STAGE) spark --allow-empty -- $(PY) -m pytest -m spark

FORCE:

# --- working on the book -----------------------------------------------------------------

$(STAMP_LAB): $(STAMP_VENV) requirements-lab.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-lab.txt
	@touch $@

# JupyterLab refuses to run as root unless told; a container or CI shell is often root.
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP_LAB)
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir="$(CURDIR)" \
	  --LabApp.default_url=/lab/tree/exercises $(LAB_ROOT_FLAG)

exercises: setup
	$(PY) _ext/run_exercises.py

# The benchmark environment is separate: aequitas needs pandas < 3 (requirements-bench.txt).
$(STAMP_BENCH): requirements-bench.txt pyproject.toml
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	@touch $@

bench: setup $(STAMP_BENCH)
	$(BENCH_VENV)/bin/python benchmarks/bench_stratify.py
	$(PY) benchmarks/bench_suppression.py
	$(PY) benchmarks/bench_import.py
	$(PY) benchmarks/book_build.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -not -path "./.venv/*" -not -path "./node_modules/*" -prune \
	  -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) $(BENCH_VENV) node_modules
