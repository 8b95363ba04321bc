# Tongxin. `make run` serves the demo; `make test` runs every check; `make bench` measures.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
SCALE ?= 1
export TONGXIN_DATA_DIR ?= $(CURDIR)/var

.PHONY: run install install-test migrate demo test lint typecheck test-sqlite test-postgres bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/tongxin migrate --noinput -v 0

# the demo profile: the demo's published password and no second factor (docs/security.md)
demo: migrate
	TONGXIN_SECURITY_PROFILE=demo $(BIN)/tongxin demo --scale $(SCALE) --if-empty

run: demo
	TONGXIN_SECURITY_PROFILE=demo PORT=$(PORT) BIN=$(BIN) sh scripts/serve.sh

messages: install-test
	$(BIN)/tongxin makemessages -l zh_Hans --no-obsolete --no-location --ignore=var --ignore=scripts
	msgfmt -c -o tongxin/locale/zh_Hans/LC_MESSAGES/django.mo tongxin/locale/zh_Hans/LC_MESSAGES/django.po

lint: install-test
	$(BIN)/ruff check tongxin
	$(BIN)/ruff format --check tongxin
	$(BIN)/lint-imports
	$(BIN)/tongxin makemigrations --check --dry-run
	BIN=$(BIN) sh scripts/check-messages.sh
	$(BIN)/bandit -q -c bandit.yaml -r tongxin
	BIN=$(BIN) sh scripts/pip-audit.sh

typecheck: install-test
	$(BIN)/mypy tongxin

test-sqlite: install-test
	TONGXIN_DATA_DIR=$$(mktemp -d) $(BIN)/pytest -q -n 2 --dist loadgroup

test-postgres: install-test
	PG_REPLICA=1 sh scripts/with-postgres.sh $(BIN)/pytest -q -n 2 --dist loadgroup -m "not browser and not fuzz"

test: lint typecheck test-sqlite test-postgres

bench: install-test
	sh scripts/bench.sh

clean:
	rm -rf $(VENV) var
