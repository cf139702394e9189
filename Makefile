# One command to run the app, one to run every check. Both set everything up first.
#   make run    create .venv, install, open the app on your default project (sample article inside)
#   make test   create .venv, install, run ruff, mypy, import-linter and the whole pytest suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: setup run test lint pytest bench clean package smoke

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)
	@bash scripts/system-deps.sh $(BIN)/python

run: setup
	$(BIN)/annotator

lint: setup
	$(BIN)/ruff check src tests bench packaging scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

pytest: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q

test: lint pytest

bench: setup
	@for b in bench/bench_*.py; do echo "== $$b"; QT_QPA_PLATFORM=offscreen $(BIN)/python $$b || exit 1; done

package: setup
	bash scripts/package.sh

smoke: setup
	bash packaging/smoke_test.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
