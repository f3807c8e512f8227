# Two set-up commands, each works from nothing on a fresh machine:
#   make demo   - create the environment if missing, install, run the offline demo
#   make test   - create the environment if missing, install, lint, type-check and run every test
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= demo-output

.PHONY: demo test lint typecheck pytest bench clean

$(BIN)/python:
	@py=$$(scripts/find-python) || exit 1; echo "using $$py"; "$$py" -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

demo: $(VENV)/.installed
	$(BIN)/carezones demo --out $(OUT)

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed
	$(BIN)/mypy

pytest: $(VENV)/.installed
	$(BIN)/python -m pytest

test: lint typecheck pytest

bench: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/travel_times.py
	$(BIN)/python benchmarks/zones.py
	$(BIN)/python benchmarks/vrptw.py --seconds 10
	$(BIN)/python benchmarks/rounds.py
	$(BIN)/python benchmarks/sites.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
