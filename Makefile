# CertHub: `make run` serves the app on SQLite with demo data; `make test` runs the whole suite;
# `make lint` runs every static check. The venv (.venv) is made on first use and reused: `make run`
# installs the application's locked packages only (requirements/production.txt), `make test`, `make lint`
# and `make bench` add the tools (requirements/development.txt, a superset with the same pins). Every
# package is installed with --require-hashes; the stamp files in .venv say which lock is installed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SIZE   ?= small
PYTEST_ARGS ?=
export PYTHONPATH := $(CURDIR)/src

PRODUCTION  := $(VENV)/.installed-production
DEVELOPMENT := $(VENV)/.installed-development
PIP_INSTALL := $(BIN)/python -m pip install --quiet --disable-pip-version-check

.PHONY: run setup dev test lint lint-ruff lint-format lint-migrations lint-imports lint-types bench requirements clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PRODUCTION): requirements/production.txt pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) --require-hashes -r requirements/production.txt
	$(PIP_INSTALL) --no-deps -e .
	touch $@

# development.txt holds every production pin too, so a development venv also serves `make run`.
$(DEVELOPMENT): requirements/development.txt requirements/production.txt pyproject.toml | $(BIN)/python
	$(PIP_INSTALL) --require-hashes -r requirements/development.txt
	$(PIP_INSTALL) --no-deps -e .
	touch $@ $(PRODUCTION)

dev: $(DEVELOPMENT)

# The name developers know for "set up the venv" (the development one).
$(BIN)/certhub: $(DEVELOPMENT)

setup: $(PRODUCTION)
	$(BIN)/certhub migrate --no-input -v 0
	$(BIN)/certhub collectstatic --no-input -v 0

run: setup
	$(BIN)/certhub demo --size $(SIZE) --if-empty
	$(BIN)/certhub serve --host $(HOST) --port $(PORT)

# Chromium and the CJK font are checked (as root: installed) before anything else, so that a machine
# without them fails in seconds, not after the venv is built.
test:
	.ci/test-prerequisites
	$(MAKE) --no-print-directory $(DEVELOPMENT)
	$(BIN)/certhub collectstatic --no-input -v 0
	$(BIN)/pytest $(PYTEST_ARGS)

# Every check runs, even after one fails (-k), so that one `make lint` reports all of them.
lint:
	$(MAKE) --no-print-directory -k lint-ruff lint-format lint-migrations lint-imports lint-types

lint-ruff: $(DEVELOPMENT)
	$(BIN)/ruff check .

lint-format: $(DEVELOPMENT)
	$(BIN)/ruff format --check .

lint-migrations: $(DEVELOPMENT)
	$(BIN)/certhub makemigrations --check --dry-run -v 1

# The layers of docs/architecture.md, as import contracts ([tool.importlinter] in pyproject.toml).
lint-imports: $(DEVELOPMENT)
	$(BIN)/lint-imports

# Type checks with django-stubs ([tool.mypy] in pyproject.toml).
lint-types: $(DEVELOPMENT)
	$(BIN)/mypy

bench: $(DEVELOPMENT)
	$(BIN)/python -m bench $(BENCH_ARGS)

# Re-lock after editing requirements/*.in (pip-tools, in a venv of its own under var/). Versions already
# locked are kept unless an .in file asks otherwise; `make requirements PIP_COMPILE_ARGS=--upgrade`
# moves everything to the newest.
PIP_COMPILE := var/pip-tools/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(PIP_COMPILE_ARGS)
requirements:
	test -x var/pip-tools/bin/pip-compile || \
		{ $(PYTHON) -m venv var/pip-tools && var/pip-tools/bin/pip install --quiet pip-tools; }
	cd requirements && CUSTOM_COMPILE_COMMAND="make requirements" \
		../$(PIP_COMPILE) production.in -o production.txt
	cd requirements && CUSTOM_COMPILE_COMMAND="make requirements" \
		../$(PIP_COMPILE) development.in -o development.txt

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
