# The two commands of the README: `make demo` and `make test`. Both set up .venv first.
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck migrations unit bench reliability

$(BIN)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# One cycle against the four built-in LMS sandboxes, with SQLite in var/.
demo: $(BIN)/.installed
	$(BIN)/syncd -c config/syncd.toml run --once

# Everything CI checks: lint, types, layers, migrations, and the tests (SQLite and PostgreSQL).
test: lint typecheck migrations unit

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(BIN)/.installed
	$(BIN)/mypy

# The models and the migrations agree: upgrade a scratch database, then ask alembic for a diff.
migrations: $(BIN)/.installed
	@scratch=$$(mktemp -d) && \
	  SYNCD_DATABASE_URL=sqlite:///$$scratch/check.db $(BIN)/alembic upgrade head && \
	  SYNCD_DATABASE_URL=sqlite:///$$scratch/check.db $(BIN)/alembic check; \
	  rc=$$?; rm -rf $$scratch; exit $$rc

# pytest exits 5 when it collected no test: that is a failure here, not a pass.
# One worker per core; worksteal evens out the long end-to-end tests between them.
unit: $(BIN)/.installed
	$(BIN)/pytest -n auto --dist worksteal --cov --cov-report=term:skip-covered -q; \
	  rc=$$?; if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks

# Fault probes against the simulators and real syncd processes, about 10 minutes (docs/reliability.md).
reliability: $(BIN)/.installed
	$(BIN)/python -m benchmarks.reliability
