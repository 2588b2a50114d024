# Trellis — the two commands are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export TRELLIS_INSTANCE_PATH ?= $(CURDIR)/instance
# Where `make run` listens: `make run PORT=8080` (HOST=0.0.0.0 to serve other machines).
# Set on the command line only: a shell's own HOST or PORT variable is not taken.
PORT   := 5000
HOST   := 127.0.0.1

.PHONY: run test install translations docs screenshots lint bench bench-pages bench-sales bench-money bench-service bench-insurance bench-his clean vendor browser

$(STAMP): pyproject.toml tests/thirdparty/trellis_hello/pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]" -e tests/thirdparty/trellis_hello
	touch $(STAMP)

install: $(STAMP) translations

## Compile the .mo catalogues of core and every built-in plugin (never committed).
translations: $(STAMP)
	$(BIN)/python -m core.i18n_tools compile

## Set up (first time: demo data and an admin) and start on http://127.0.0.1:5000 (PORT=, HOST=)
run: install
	@if [ ! -f "$(TRELLIS_INSTANCE_PATH)/demo-login.txt" ]; then \
	  pw=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(9))'); \
	  $(BIN)/trellis init --demo --admin-email admin@example.com --admin-password "$$pw" \
	    && printf 'E-mail:   admin@example.com\nPassword: %s\n' "$$pw" > "$(TRELLIS_INSTANCE_PATH)/demo-login.txt" \
	    && chmod 600 "$(TRELLIS_INSTANCE_PATH)/demo-login.txt"; \
	else $(BIN)/trellis db upgrade; fi
	@echo "----------------------------------------------------------------"
	@echo " Trellis demo: http://$(if $(filter 0.0.0.0 ::,$(HOST)),127.0.0.1,$(HOST)):$(PORT)   (sign in as the admin)"
	@cat "$(TRELLIS_INSTANCE_PATH)/demo-login.txt"
	@echo "----------------------------------------------------------------"
	$(BIN)/trellis run --host $(HOST) --port $(PORT)

## Run the whole suite (SQLite; PostgreSQL when TRELLIS_TEST_DATABASE_URL is set).
## The browser tests share one xdist group, so one Chromium serves the whole run.
## Compiled modules are kept in .venv/pycache, never in the checkout, even where the
## shell says not to write them (PYTHONDONTWRITEBYTECODE): else every `trellis` a test
## starts compiles Trellis's 600-odd modules again, most of a second each time.
test: install browser
	PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX="$(CURDIR)/$(VENV)/pycache" \
	  $(BIN)/pytest -n 2 --dist loadgroup -q --durations=25 $(PYTEST_ARGS)

## Debian's Chromium for the browser tests (Playwright drives it; it never downloads one),
## and a CJK font so Chinese pages render in screenshots.
browser:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "wqy\|noto.*cjk"; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get install -y -q chromium fonts-wqy-zenhei >/dev/null \
	      || { apt-get update -q >/dev/null && apt-get install -y -q chromium fonts-wqy-zenhei >/dev/null; }; \
	  else echo "The browser tests need Debian's chromium: sudo apt-get install chromium fonts-wqy-zenhei" >&2; exit 1; fi; \
	fi

## Core API benchmark (see bench/README.md); BENCH_DB=<empty PostgreSQL URL> for PostgreSQL,
## BENCH_SCALE=1m for 1,000,000 customers / 3,000,000 contacts / 10,000,000 activities
bench: install
	$(BIN)/python -m bench.core_api $(if $(BENCH_DB),--database $(BENCH_DB)) $(if $(BENCH_SCALE),--scale $(BENCH_SCALE))

## Web page benchmark: server time of every main page at 100,000 customers
bench-pages: install
	$(BIN)/python -m bench.pages $(if $(BENCH_DB),--database $(BENCH_DB)) $(if $(BENCH_SCALE),--scale $(BENCH_SCALE))

## Sales reports benchmark: funnel, forecast and KPIs at 1,000,000 deals
bench-sales: install
	$(BIN)/python -m bench.sales $(if $(BENCH_DB),--database $(BENCH_DB))

## Money benchmark (issue 24): aging, collections, contracted vs collected and approvals at 200,000 contracts
bench-money: install
	$(BIN)/python -m bench.money $(if $(BENCH_DB),--database $(BENCH_DB))

## Service dispatch benchmark: board, suggestions and SLA report at 500,000 work orders
bench-service: install
	$(BIN)/python -m bench.service $(if $(BENCH_DB),--database $(BENCH_DB))

## Insurance benchmark (issue 17): renewals, grace list, agent statements, reports and the nightly job at 1,000,000 policy terms
bench-insurance: install
	$(BIN)/python -m bench.insurance $(if $(BENCH_DB),--database $(BENCH_DB))

## Hospital benchmark (issue 18): patient lookup, queue board, day of bookings and reports at 1,000,000 patients, 5,000,000 visits, 20,000,000 charge lines
bench-his: install
	$(BIN)/python -m bench.his $(if $(BENCH_DB),--database $(BENCH_DB)) $(if $(BENCH_SCALE),--scale $(BENCH_SCALE))

## The README's screenshots (docs/screenshots): main pages, both locales and themes
screenshots: install browser
	$(BIN)/python docs/screenshots/take.py

docs: $(STAMP)
	$(BIN)/python -m core.hookdoc > docs/hooks.md
	$(BIN)/python -m core.apidoc > docs/api.md

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info

## Copy the pinned front-end libraries (package.json) into core/static/vendor, and the browser
## tests' axe-core into tests/e2e/vendor (never shipped in the wheel); the copies are committed
vendor: $(STAMP)
	npm install --no-audit --no-fund --ignore-scripts
	mkdir -p core/static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js core/static/vendor/htmx.min.js
	cp node_modules/htmx.org/LICENSE core/static/vendor/htmx.LICENSE
	cp node_modules/chart.js/dist/chart.umd.min.js core/static/vendor/chart.umd.min.js
	cp node_modules/chart.js/LICENSE.md core/static/vendor/chart.js.LICENSE.md
	$(BIN)/python -m core.icons node_modules/lucide-static/icons
	cp node_modules/lucide-static/LICENSE core/static/vendor/lucide.LICENSE
	mkdir -p tests/e2e/vendor
	cp node_modules/axe-core/axe.min.js tests/e2e/vendor/axe.min.js
	cp node_modules/axe-core/LICENSE tests/e2e/vendor/axe-core.LICENSE
	cp node_modules/axe-core/LICENSE-3RD-PARTY.txt tests/e2e/vendor/axe-core.LICENSE-3RD-PARTY.txt
