# Two commands: `make run` and `make test` (see README). Everything lives in .venv/.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test install system-packages messages migrate demo worker bench guides lint format clean

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "  Passerelle : http://127.0.0.1:8000/   (admin : http://127.0.0.1:8000/admin/)"
	@echo "  Ctrl-C arrête le site, le worker Celery et beat."
	@echo ""
	$(BIN)/honcho --procfile Procfile.dev start

test: install
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

install: $(INSTALLED) messages

system-packages:
	@scripts/ensure-system-packages

$(INSTALLED): pyproject.toml | system-packages
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(INSTALLED)

# Catalogues are compiled by the build, never committed.
messages: $(INSTALLED)
	@$(BIN)/python manage.py compilemessages --ignore='.venv/*' -v 0

# Benchmarks need wrk (Debian package); see bench/run.py and docs/benchmarks.md.
bench: install
	@command -v wrk >/dev/null || scripts/ensure-system-packages wrk
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# Retakes the screenshots of the user guides (docs/guides/img/) from the demo, in chromium.
guides: install
	PASSERELLE_GUIDES_REFRESH=1 PASSERELLE_REQUIRE_BROWSER=1 $(BIN)/python -m pytest tests/e2e/test_guide_screenshots.py -q

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
