# Trellis — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export TRELLIS_INSTANCE_PATH ?= $(CURDIR)/instance

.PHONY: run test install translations docs lint bench clean

$(STAMP): pyproject.toml tests/thirdparty/trellis_hello/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]" -e tests/thirdparty/trellis_hello
	touch $(STAMP)

install: $(STAMP) translations

## Compile the .mo catalogues of core and every built-in plugin (never committed).
translations: $(STAMP)
	$(BIN)/python -m core.i18n_tools compile

## Set up (first time: demo data and an admin) and start on http://127.0.0.1:5000
run: install
	@if [ ! -f "$(TRELLIS_INSTANCE_PATH)/demo-login.txt" ]; then \
	  pw=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(9))'); \
	  $(BIN)/trellis init --demo --admin-email admin@example.com --admin-password "$$pw" \
	    && printf 'E-mail:   admin@example.com\nPassword: %s\n' "$$pw" > "$(TRELLIS_INSTANCE_PATH)/demo-login.txt" \
	    && chmod 600 "$(TRELLIS_INSTANCE_PATH)/demo-login.txt"; \
	else $(BIN)/trellis db upgrade; fi
	@echo "----------------------------------------------------------------"
	@echo " Trellis demo: http://127.0.0.1:5000   (sign in as the admin)"
	@cat "$(TRELLIS_INSTANCE_PATH)/demo-login.txt"
	@echo "----------------------------------------------------------------"
	$(BIN)/trellis run

## Run the whole suite (SQLite; PostgreSQL when TRELLIS_TEST_DATABASE_URL is set)
test: install
	$(BIN)/pytest -n 2 -q

## Core API benchmark (see bench/README.md); BENCH_DB=<empty PostgreSQL URL> for PostgreSQL
bench: install
	$(BIN)/python -m bench.core_api $(if $(BENCH_DB),--database $(BENCH_DB))

docs: $(STAMP)
	$(BIN)/python -m core.hookdoc > docs/hooks.md

lint: $(STAMP)
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info
