# Buurtkamer: `make run` to try it, `make test` to check it.
PYTHON ?= $(shell command -v python3.13 || command -v python3.12 || echo python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test lint format messages messages-update messages-check clean bench deploy-check

# uv installs the packages in seconds where pip takes minutes; pip stays the fallback (no uv
# for this platform, or no way to its index).
INSTALL = $(BIN)/uv pip install --quiet --python $(BIN)/python
PIP_INSTALL = $(BIN)/python -m pip install --quiet

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12 or newer is needed (found " + sys.version.split()[0] + ")")'
	$(PYTHON) -m venv $(VENV) || (rm -rf $(VENV); echo "Could not create .venv: install python3-venv"; exit 1)
	$(PIP_INSTALL) uv || echo "uv could not be installed: pip installs the packages (slower)"

$(STAMP): pyproject.toml | $(BIN)/python
	$(INSTALL) . 2>/dev/null || $(PIP_INSTALL) .
	touch $@

$(TEST_STAMP): pyproject.toml $(STAMP)
	$(INSTALL) ".[test]" 2>/dev/null || $(PIP_INSTALL) ".[test]"
	touch $@

# Compiled .mo files are committed; they are rebuilt here when GNU gettext is installed and a
# catalogue is newer than its .mo (so two test runs at once never rewrite them under each other).
messages: $(STAMP)
	@if ! command -v msgfmt >/dev/null; then \
		echo "msgfmt (GNU gettext) not found: using the committed translations"; \
	elif (for po in locale/*/LC_MESSAGES/django.po locale_thirdparty/*/LC_MESSAGES/django.po; do [ "$${po%.po}.mo" -nt "$$po" ] || exit 0; done; exit 1); then \
		DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore=.venv --verbosity=0; \
	fi

# After changing texts: update the catalogues, translate the new English entries in
# locale/en/LC_MESSAGES/django.po, then `make messages`.
MAKEMESSAGES := DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l nl -l fy -l en --no-location --no-obsolete \
	--ignore=.venv --ignore=tests --ignore=staticfiles --verbosity=0
messages-update: $(STAMP)
	$(MAKEMESSAGES)

# CI: fails when a text in the code is missing from the catalogues or a catalogue is stale.
messages-check: $(STAMP)
	$(MAKEMESSAGES)
	git diff -I'^"POT-Creation-Date' --exit-code -- 'locale/*.po' || \
		(echo "locale/ is stale: run make messages-update, translate, make messages"; exit 1)

run: export DJANGO_DEBUG ?= 1
run: $(STAMP) messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo --if-empty
	@echo "Buurtkamer runs on http://127.0.0.1:$(PORT)/ (stop with Ctrl+C)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

test: $(TEST_STAMP) messages
	$(BIN)/python -m pytest --durations=20 $(PYTEST_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The benchmark of issue 7 against its own PostgreSQL database (created and dropped by it):
# see bench/run.py and README "Performance". Bounded: 10 minutes at most.
# `make bench SCALE=national` (or BENCH_SCALE=national in the environment): 250 locations and
# ten years of visits, the pages only (bench/national.py). It drives Chromium for the tablet
# page's LCP and INP (bench/weight.py), so it needs Playwright: a test extra, not a dependency
# of the app (a server does not need it), hence the test install.
bench: export BENCH_SCALE := $(or $(SCALE),$(BENCH_SCALE),default)
bench: $(TEST_STAMP)
	timeout --foreground --kill-after=20 600 $(BIN)/python -m bench.run

# The server recipe of deploy/ on this machine (issue 16): install.sh into a temporary prefix,
# nginx with TLS, two gunicorns, a restore drill; see deploy/check.py. Installs nginx with
# apt-get when missing (root), needs PostgreSQL on 127.0.0.1:5432. Bounded: 5 minutes at most.
deploy-check: $(STAMP)
	PYTHON=$(BIN)/python deploy/check.sh

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*
