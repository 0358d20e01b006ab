# eagov developer commands. Needs only python3 (with venv), make and git.
#
#   make run     create .venv, install, migrate, load demo data once, serve on 127.0.0.1:5000
#   make test    THE test command: lint, types, the suite on SQLite, on PostgreSQL and in
#                Chromium when those are installed (see README.md "Testing")
#   make venv    only create/refresh .venv
#   make clean   remove caches and test artifacts (keeps .venv and instance/)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Re-install only when the project's declared dependencies change.
STAMP  := $(VENV)/.eagov-installed
HOST   ?= 127.0.0.1
PORT   ?= 5000
WORKERS ?= 2

export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_ROOT_USER_ACTION := ignore
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

# Compiled message catalogues, built from the .po files when these are newer.

.DEFAULT_GOAL := help
.PHONY: help venv run test clean

help:
	@sed -n '2,8p' Makefile | sed 's/^# \{0,1\}//'

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) || { \
	  rm -rf $(VENV); \
	  echo "*** '$(PYTHON) -m venv' failed. On Debian/Ubuntu install the venv module first:" >&2; \
	  echo "***     apt-get install python3-venv" >&2; \
	  exit 1; }

$(STAMP): pyproject.toml | $(BIN)/python
	@echo "Installing eagov and its dependencies into $(VENV) (pyproject.toml changed) ..."
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/eagov db upgrade
	EAGOV_BASE_URL=http://$(HOST):$(PORT) $(BIN)/eagov demo load --if-empty
	@echo "Demo sign-ins (all with password 'demo-password'): see README.md, 'Quick start'."
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@# One scheduler process beside the web workers (never inside them); stopped with gunicorn.
	EAGOV_BASE_URL=http://$(HOST):$(PORT) $(BIN)/eagov scheduler & sched=$$!; \
	  trap 'kill -TERM $$sched 2>/dev/null; wait $$sched' EXIT INT TERM; \
	  $(BIN)/gunicorn 'eagov:create_app()' -b $(HOST):$(PORT) -w $(WORKERS) \
	  --access-logfile - --error-logfile -

test: $(STAMP)
	@VENV=$(VENV) bash scripts/test.sh $(ARGS)

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache test-artifacts
