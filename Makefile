# Two commands on a fresh machine: `make demo` and `make test`. Only Python 3.11 is assumed.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The local Stripe stand-in (eloket.payments.standin) that `make serve` starts beside the site.
STANDIN_PORT ?= 12111
# The local Mijn Burgerprofiel stand-in (eloket.profile.standin): the announcements the worker sends.
PROFILE_STANDIN_PORT ?= 12112
PYTEST_ARGS ?=

.PHONY: install demo serve test test-browser lint format check-deploy audit bench messages openapi clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# The OpenID Connect provider of the login tests (panva's oidc-provider, from npm): needs Node.js 20+.
OIDC_PROVIDER_DIR := tests/oidc_provider

$(OIDC_PROVIDER_DIR)/node_modules/.installed: $(OIDC_PROVIDER_DIR)/package.json $(OIDC_PROVIDER_DIR)/package-lock.json
	@if command -v npm >/dev/null; then \
	  npm ci --prefix $(OIDC_PROVIDER_DIR) --no-audit --no-fund --loglevel=error && touch $@; \
	else \
	  echo "npm not found: the OpenID Connect login tests will be skipped (install Node.js 20+)"; \
	fi

install: $(VENV)/.installed $(OIDC_PROVIDER_DIR)/node_modules/.installed

# Migrate the embedded SQLite database, seed the demo (idempotent), then serve with a worker beside.
demo: install
	@mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(MAKE) serve

# Online payments go to the local Stripe stand-in (no keys, no network); its signed webhooks come back
# to this site. The worker runs refunds, CODA bookings, e-mails and the reconciliation schedule.
serve:
	@echo "E-loket on http://127.0.0.1:$(PORT)/  (admin: /beheer/, demo login: /nl/aanmelden/)"
	@echo "Stripe stand-in on http://127.0.0.1:$(STANDIN_PORT)/"
	@echo "Mijn Burgerprofiel stand-in on http://127.0.0.1:$(PROFILE_STANDIN_PORT)/"
	@trap 'kill 0' INT TERM EXIT; \
	  export STRIPE_API_BASE=http://127.0.0.1:$(STANDIN_PORT) STRIPE_CHECKOUT_ORIGIN=http://127.0.0.1:$(STANDIN_PORT) \
	    ELOKET_PROFILE_API_BASE=http://127.0.0.1:$(PROFILE_STANDIN_PORT) \
	    ELOKET_SITE_URL=$${ELOKET_SITE_URL:-http://127.0.0.1:$(PORT)}; \
	  $(PY) -m eloket.payments.standin --port $(STANDIN_PORT) \
	    --webhook-url http://127.0.0.1:$(PORT)/betalingen/webhook/stripe/ & \
	  $(PY) -m eloket.profile.standin --port $(PROFILE_STANDIN_PORT) --store var/profile-standin.json & \
	  $(PY) manage.py qcluster & \
	  $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The whole suite: unit, integration and browser tests. Browser tests are skipped with a notice
# when no Chromium is installed, except in CI (CI=true), where they must run.
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

test-browser: install
	$(PY) -m pytest -m browser $(PYTEST_ARGS)

lint: install
	@mkdir -p var
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# `manage.py check --deploy` with the production settings and dummy secrets; any warning fails.
check-deploy: install
	DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY=check-deploy-dummy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	IDENTIFIER_HASH_KEY=check-deploy-dummy \
	DATABASE_URL=sqlite:///var/check-deploy.sqlite3 \
	DJANGO_ALLOWED_HOSTS=eloket.example.be \
	$(PY) manage.py check --deploy --fail-level WARNING

# Known vulnerabilities in the installed dependencies (pip-audit against PyPI's advisory data). Fails
# on any finding not listed, with its reason, in .ci/audit-ignore.txt, and on any package pip-audit
# could not audit (it only warns about those, and --strict cannot be used with --skip-editable): an
# audit that skipped packages would pass for the wrong reason. The project itself (editable) is skipped.
# AUDIT_ARGS passes more options, e.g. "--vulnerability-service osv" when PyPI's API is down.
AUDIT_IGNORE ?= .ci/audit-ignore.txt
AUDIT_ARGS ?=
audit: install
	@mkdir -p var
	@status=0; $(VENV)/bin/pip-audit --local --skip-editable --progress-spinner off --desc on $(AUDIT_ARGS) \
	  $$(sed -e 's/#.*//' $(AUDIT_IGNORE) | awk 'NF {print "--ignore-vuln", $$1}') > var/pip-audit.log 2>&1 || status=$$?; \
	cat var/pip-audit.log; \
	if grep -q "could not be audited" var/pip-audit.log; then echo "audit: packages were not audited" >&2; exit 1; fi; \
	exit $$status

# BENCH_ARGS passes options, e.g. the load test alone on two scale databases (docs/performance.md):
# make bench BENCH_ARGS="--only load --db postgres://…/eloket_scale_1m --compare postgres://…/eloket_scale_10m"
# The load test runs on PostgreSQL only; on SQLite `make bench` says it skipped it.
BENCH_ARGS ?=
bench: install
	$(PY) -m bench $(BENCH_ARGS)

# Regenerate the catalogues after changing strings (needs GNU gettext), then compile them.
messages: install
	$(PY) manage.py makemessages --locale fr --locale en --locale de --ignore '.venv/*' --ignore 'bench/*' --ignore 'tests/*' --no-obsolete
	$(PY) manage.py compilemessages --ignore '.venv/*'

# The API's OpenAPI document, committed so that a change shows in review (tests/eloket/api/test_schema.py).
openapi: install
	$(PY) manage.py spectacular --validate --fail-on-warn --file docs/api/openapi.yaml

clean:
	rm -rf var $(VENV)
