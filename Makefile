# The commands people run. `make run` and `make test` work on a fresh machine
# with only Python 3.11+: they create .venv and install the app first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench screenshots clean package dist

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("SnapAsset Desktop needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
		echo "Could not create a virtual environment: install python3-venv (sudo apt install python3-venv)"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/snapasset-desktop

# Lint first, then the suite; then the desktop bundle is built and self-tested (about a
# minute; SKIP_BUNDLE=1 skips it).
test: lint
	bash tests/run_tests.sh
	@if [ -z "$(SKIP_BUNDLE)" ]; then $(MAKE) --no-print-directory package; fi
	@tail -n 1 .pytest-summary.log

# The import contracts (the layers, Qt only in ui/) and mypy's settings are in pyproject.toml.
lint: $(STAMP)
	$(BIN)/ruff check snapasset_desktop tests bench
	$(BIN)/ruff format --check snapasset_desktop tests bench
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format snapasset_desktop tests bench
	$(BIN)/ruff check --fix snapasset_desktop tests bench

# Each bench/*.py prints its tables (docs/PERFORMANCE.md); bench/_*.py are helpers.
bench: $(STAMP)
	@for script in bench/[!_]*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

screenshots: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/screenshots.py

# The desktop bundle for this OS: dist/snapasset-desktop/ (see packaging/).
package: $(STAMP)
ifeq ($(OS),Windows_NT)
	powershell -NoProfile -ExecutionPolicy Bypass -File packaging/build-windows.ps1
else ifeq ($(shell uname -s),Darwin)
	PYTHON=$(BIN)/python bash packaging/build-macos.sh
else
	PYTHON=$(BIN)/python bash packaging/build-linux.sh
endif

# The sdist and wheel for `pip install` (dist/snapasset_desktop-*), resources checked.
dist: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[package]'
	rm -f dist/snapasset_desktop-*
	$(BIN)/python -m build --outdir dist .
	$(BIN)/python packaging/check_wheel.py dist/snapasset_desktop-*.whl

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .import_linter_cache .mypy_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
