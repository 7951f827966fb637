# Doorstep: `make run` starts it with demo data, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
# PostgreSQL for the tests: the server of this machine, trust auth.
TEST_PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
DEBIAN_TEST_PACKAGES := chromium postgresql fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0
DEBIAN_RUN_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0

.PHONY: run test test-sqlite test-postgres test-e2e venv system-run system-test messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(VENV)/.installed

# Debian packages, installed only when missing (as root on a fresh machine).
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-run:
	$(call apt_install,$(DEBIAN_RUN_PACKAGES))

system-test:
	$(call apt_install,$(DEBIAN_TEST_PACKAGES))

run: system-run venv
	PORT=$(PORT) $(BIN)/doorstep demo
	PORT=$(PORT) HOST=$(HOST) $(BIN)/doorstep serve

# Both engines at the same time (much of each run waits on browsers, servers and sleeps), each
# into its own log; the logs are printed whole at the end, and either run failing fails the target.
test: system-test venv
	@logs=$$(mktemp -d); \
	echo "SQLite and PostgreSQL suites running side by side (logs in $$logs)"; \
	$(BIN)/python -m pytest -p tests.engines.sqlite -q --durations=15 >$$logs/sqlite.log 2>&1 & sqlite=$$!; \
	TEST_PG_URL=$(TEST_PG_URL) $(BIN)/python -m pytest -p tests.engines.postgres -q --durations=15 >$$logs/postgres.log 2>&1 & postgres=$$!; \
	wait $$sqlite; sqlite_status=$$?; wait $$postgres; postgres_status=$$?; \
	echo "==================== SQLite (exit $$sqlite_status) ===================="; cat $$logs/sqlite.log; \
	echo "==================== PostgreSQL (exit $$postgres_status) ===================="; cat $$logs/postgres.log; \
	rm -rf $$logs; \
	test $$sqlite_status -eq 0 -a $$postgres_status -eq 0

test-sqlite: venv
	$(BIN)/python -m pytest -p tests.engines.sqlite -q $(ARGS)

test-postgres: venv
	TEST_PG_URL=$(TEST_PG_URL) $(BIN)/python -m pytest -p tests.engines.postgres -q $(ARGS)

# Rebuild the English catalogue after changing translatable text: extract the Chinese strings
# (templates, server code, and the phone's JavaScript: t("…") and N_("…"), see web/static/js/i18n.js),
# list which of them the phone gets at /i18n/<locale>.json (web/locales/field-words.json),
# fill in the English of web/locales/pairs/*.tsv ("中文<TAB>English"), compile.
messages: venv
	$(BIN)/pybabel extract -F babel.cfg -o web/locales/messages.pot --no-location --omit-header .
	$(BIN)/python scripts/field_words.py
	$(BIN)/pybabel update -i web/locales/messages.pot -d web/locales -l en --no-fuzzy-matching
	cat web/locales/pairs/*.tsv | $(BIN)/python scripts/translate.py
	$(BIN)/pybabel compile -d web/locales -l en

clean:
	rm -rf $(VENV) var .pytest_cache
