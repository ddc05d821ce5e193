# One command to run the app with demo data, one to run the tests (README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app tracker
export APP_ENV ?= development
# Where `make run` serves: HOST=0.0.0.0 to reach it from other machines, PORT for another port.
export HOST ?= 127.0.0.1
export PORT ?= 5000
# apt needs root: sudo when not root already.
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: oidc-provider run test test-fast setup deps dev-deps assets chromium print-tools db demo test-sqlite test-postgres bench clean

run: setup db demo  ## set up and serve on http://$(HOST):$(PORT) with demo data
	@echo "Serving on http://$(HOST):$(PORT)/ - sign in with one of the demo logins above."
	$(BIN)/python run.py

setup: deps assets

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

deps: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt

dev-deps: $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt

# The NHS.UK design system from npm (package-lock.json pins it), copied where Flask serves it.
assets:
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf tracker/static/nhsuk tracker/static/vendor
	mkdir -p tracker/static/nhsuk tracker/static/vendor
	cp -r node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css \
	      node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js \
	      node_modules/nhsuk-frontend/dist/nhsuk/assets tracker/static/nhsuk/
	cp node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.js \
	   node_modules/accessible-autocomplete/dist/accessible-autocomplete.min.css tracker/static/vendor/
	# Offline: the stylesheet's @font-face rules fetch the Frutiger font from assets.nhs.uk, which an
	# intranet without internet cannot reach. Without them pages use NHS.UK's fallback, Arial/sans-serif.
	sed -E -i 's/@font-face\{[^}]*\}//g' tracker/static/nhsuk/nhsuk-frontend.min.css
	! grep -q "https\?://" tracker/static/nhsuk/nhsuk-frontend.min.css

# A real OpenID Connect provider for the sign-in tests (npm's oidc-provider, pinned in its own folder).
oidc-provider:
	npm ci --prefix tests/oidc_provider --no-audit --no-fund --loglevel=error

# Debian's chromium for the browser tests (Playwright drives it; it never downloads a browser).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "The browser tests need Debian's chromium: installing it with apt-get (this needs root or sudo)."; \
	  echo "If you cannot install it, run the suite without the browser tests:"; \
	  echo "  make test PYTEST_ARGS=\"-m 'not browser'\""; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; \
	fi

# LibreOffice Calc, poppler and Carlito (Calibri's metrics) for the test that prints every workbook to PDF
# (tests/test_workbook_pdf.py). Installed with apt when missing; the run stops here if they cannot be.
# Without that test: make test PYTEST_ARGS="-m 'not printing'" (they are then not installed).
PRINT_PACKAGES := libreoffice-calc-nogui poppler-utils fonts-crosextra-carlito
print-tools:
	@if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null || ! fc-list | grep -qi carlito; then \
	  echo "The print test needs LibreOffice Calc, poppler-utils and the Carlito font: installing them with apt-get (root or sudo)."; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(PRINT_PACKAGES) >/dev/null \
	    || { echo "Could not install $(PRINT_PACKAGES): the print test cannot run."; exit 1; }; \
	fi

db:
	$(FLASK) db upgrade

# Demo data only into an empty database; prints one demo login for each role.
demo:
	$(FLASK) seed-demo --if-empty

# The whole suite, browser tests included (they need Debian's chromium, installed with apt
# when missing), and the print test (LibreOffice Calc and poppler, installed with apt when missing). Without them: make test PYTEST_ARGS="-m 'not browser'" (chromium is then not installed).
test: setup dev-deps oidc-provider $(if $(findstring not printing,$(PYTEST_ARGS)),,print-tools) $(if $(findstring not browser,$(PYTEST_ARGS)),,chromium)  ## install what the tests need and run the whole suite
	APP_ENV=testing $(BIN)/python -m pytest $(PYTEST_ARGS)

# While working: everything but the slow kinds (browser, server processes, Schemathesis; markers in
# pytest.ini). `make test` and CI still run everything.
FAST := not browser and not server and not schemathesis
test-fast: setup dev-deps  ## the suite without browser, gunicorn/server and Schemathesis tests
	APP_ENV=testing $(BIN)/python -m pytest -m "$(FAST)" $(PYTEST_ARGS)

test-sqlite: test

test-postgres:
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} $(MAKE) test

bench: setup dev-deps
	$(BIN)/python bench/burden.py
	$(BIN)/python bench/export.py

clean:
	rm -rf $(VENV) node_modules tests/oidc_provider/node_modules tracker/static/nhsuk tracker/static/vendor
