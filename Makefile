# make demo / make test work on a fresh machine: they build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test quick lint typecheck unit bench golden clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,notebook]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/conceptmap demo -o build/demo
	$(BIN)/conceptmap show build/demo/repo-locking.jsonl
	@echo "open build/demo/repo-locking.html in a browser to explore the map"

test: $(STAMP) lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check conceptmap tests benchmarks
	$(BIN)/ruff format --check conceptmap tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# the whole suite (kernels, Chromium, several processes) with line coverage; coverage
# starts before pytest, which imports conceptmap while reading its configuration
unit: $(STAMP)
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage report

# the unit and property tests only: no kernels, browsers or extra processes, a fifth of
# the Hypothesis examples and 8 cases of each big table (tests/quick.py); spread over
# every core (pytest-xdist),
# since most of the time is many short tests, not a few long ones; and with Python's
# bytecode cache on (this machine's environment turns it off), so the next run starts
# without compiling the package and the rewritten test modules again
quick: $(STAMP)
	PYTHONDONTWRITEBYTECODE= CONCEPTMAP_QUICK=1 $(BIN)/pytest -q -n auto --dist worksteal -p no:cacheprovider -m "not slow and not browser" \
		--ignore=tests/test_notebook.py --ignore=tests/test_jupyterlab.py \
		--ignore=tests/test_crash.py --ignore=tests/test_concurrency.py \
		--ignore=tests/test_browser.py

# rewrite tests/golden/ from the current templates; review the diff before committing
golden: $(STAMP)
	CONCEPTMAP_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_rfc.py -k golden

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
