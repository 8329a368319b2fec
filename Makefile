# The commands people run. `make run` and `make test` work on a fresh machine
# with only Python 3.11+: they create .venv and install the app first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("SnapAsset Desktop needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
		echo "Could not create a virtual environment: install python3-venv (sudo apt install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/snapasset-desktop

test: $(STAMP)
	bash tests/run_tests.sh

lint: $(STAMP)
	$(BIN)/ruff check snapasset_desktop tests bench
	$(BIN)/ruff format --check snapasset_desktop tests bench

format: $(STAMP)
	$(BIN)/ruff format snapasset_desktop tests bench
	$(BIN)/ruff check --fix snapasset_desktop tests bench

bench: $(STAMP)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
