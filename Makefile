# Two commands set everything up: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test check faults bench lint format clean up up-pg down

# The virtualenv is (re)built only when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# The demo replays the four seed cases along their real dates (2005-2011) on a local Prefect.
DEMO_UNTIL := 2011-12-31

demo: $(STAMP)
	$(BIN)/dla init
	$(BIN)/dla case load samples/cases/*.yaml
	PREFECT_LOGGING_LEVEL=WARNING $(BIN)/dla run --all --replay --today $(DEMO_UNTIL)
	$(BIN)/dla remind --since 2005-01-03 --today $(DEMO_UNTIL) --no-digest
	$(BIN)/dla deliver --all --today $(DEMO_UNTIL)
	$(BIN)/dla case show DLA38-2006-01
	$(BIN)/dla case show DLA13-2005-01
	$(BIN)/dla case list --date $(DEMO_UNTIL)

# Everything, in parallel: twice as many workers as cores, since most slow tests wait (servers
# starting, flow runs polled). The tests of one Prefect server, the readers of the PDF
# rendering, a module's stack, the fault tests of a database: each group on one worker
# (tests/conftest.py).
TEST_WORKERS ?= $(shell echo $$(( 2 * $$(nproc) )))
# Bytecode cached (__pycache__/, ignored by git) even where the environment turns it off:
# otherwise every worker and every `dla` child process compiles the project again.
TEST_ENV := PYTHONDONTWRITEBYTECODE=

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(TEST_ENV) DLA_TEST_TIER=test $(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# The fast tier for the inner loop (under a minute): no Prefect, no child process, no browser,
# no PDF, no test marked slow, not the benchmarks' own tests; SQLite only; on every core.
FAST := not prefect and not subprocess and not browser and not e2e and not pdf and not slow and not bench

check: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(TEST_ENV) DLA_TEST_TIER=check DLA_TEST_DATABASE_URL= $(BIN)/pytest -q -n auto -m "$(FAST)" -p no:cacheprovider

# The fault tests (SQLite, and PostgreSQL when DLA_TEST_DATABASE_URL is set); their tally per
# fault (expected, delivered, duplicates, lost) is written to docs/fiabilite-pannes.md.
faults: $(STAMP)
	DLA_FAULT_TALLY=docs/fiabilite-pannes.md $(BIN)/pytest tests/faults

# Benchmarks at national scale (10,000 cases); writes BENCHMARKS.md (under 15 minutes).
bench: $(STAMP)
	PREFECT_LOGGING_LEVEL=WARNING $(BIN)/python -m benchmarks

# A local Prefect server and every deployment served, on embedded defaults (see README).
up: $(STAMP)
	bash deployments/up.sh

# The same on PostgreSQL, with a work pool and two workers (see docs/exploitation.md).
up-pg: $(STAMP)
	bash deployments/up-pg.sh

down:
	bash deployments/down.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf var .pytest_cache
