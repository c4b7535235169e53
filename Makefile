# CertHub: `make run` serves the app on SQLite with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
SIZE   ?= small
export PYTHONPATH := $(CURDIR)/src

.PHONY: run setup test lint bench demo serve clean

$(BIN)/certhub: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(BIN)/certhub

setup: $(BIN)/certhub
	$(BIN)/certhub migrate --no-input -v 0
	$(BIN)/certhub collectstatic --no-input -v 0

run: setup
	$(BIN)/certhub demo --size $(SIZE) --if-empty
	$(BIN)/certhub serve --host $(HOST) --port $(PORT)

test: $(BIN)/certhub
	$(BIN)/certhub collectstatic --no-input -v 0
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/certhub
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/certhub makemigrations --check --dry-run -v 1

bench: $(BIN)/certhub
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
