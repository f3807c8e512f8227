# Two set-up commands, each works from nothing on a fresh machine:
#   make demo   - create the environment if missing, install, run the offline demo
#   make test   - create the environment if missing, install (chromium too, as root), lint,
#                 type-check and run every test (docstring examples and browser tests included),
#                 build the documentation site, then the package, smoke-testing the wheel in a
#                 fresh environment
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= demo-output

.PHONY: demo lab test test-fast lint typecheck browser pytest docs package bench clean

$(BIN)/python:
	@py=$$(scripts/find-python) || exit 1; echo "using $$py"; "$$py" -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/carezones demo --out $(OUT)

# the notebooks in JupyterLab (in .venv: the dev extra has it). It opens a browser when there is
# one and prints the address to open (http://localhost:8888/lab?token=...); Ctrl-C stops it.
# Without a browser (over SSH): make lab LAB_ARGS=--no-browser
lab: $(VENV)/.installed
	$(BIN)/jupyter lab $(LAB_ARGS) notebooks/

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

# mypy --strict's checks on every layer but cli/, demo and synthetic/ (pyproject.toml)
typecheck: $(VENV)/.installed
	$(BIN)/mypy

# on every core (pytest-xdist): the slow tests, notebooks among them, spread over the workers
pytest: $(VENV)/.installed
	$(BIN)/python -m pytest -n auto

# the inner loop: lint, then the tests but the slow ones (notebooks, real data, browsers),
# stopping at the first failure
test-fast: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/python -m pytest -x -q -m "not slow"

# the browser tests need Debian's chromium: installed here when missing and we are root
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      echo "installing Debian's chromium for the browser tests"; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	    else echo "chromium not found: the browser tests will skip (sudo apt-get install chromium)"; fi; }

# the documentation site, built offline with warnings as errors (every public name documented);
# the notebooks run at build time on the synthetic county
docs: $(VENV)/.installed
	rm -rf docs/_build/html
	$(BIN)/sphinx-build -E -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: open docs/_build/html/index.html"

# the sdist and wheel build, and the wheel installs into a fresh environment and runs the demo
package: $(VENV)/.installed
	SMOKE_FULL=$${SMOKE_FULL:-1} scripts/smoke-package

# in order, what can run side by side two at a time (the machine has two cores): the docs show
# the notebooks the tests ran, so they come after the tests
test: $(VENV)/.installed
	@$(MAKE) --no-print-directory -j2 -O lint typecheck
	@$(MAKE) --no-print-directory browser
	@$(MAKE) --no-print-directory pytest
	@$(MAKE) --no-print-directory -j2 -O docs package

bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/travel_times.py
	$(BIN)/python benchmarks/zones.py
	$(BIN)/python benchmarks/vrptw.py --seconds 10
	$(BIN)/python benchmarks/rounds.py
	$(BIN)/python benchmarks/sites.py
	$(BIN)/python benchmarks/portfolio.py
	$(BIN)/python benchmarks/week.py
	$(BIN)/python benchmarks/county.py
	$(BIN)/python benchmarks/calibrate.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
