# quizsite: `make run` to use it, `make test` to test it. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Local development: DEBUG on, a random key kept in var/ (see quizsite/settings.py).
DEV := DEBUG=1

# `make serve`: production settings (DEBUG off, collected static files) on this machine, over
# plain HTTP on 127.0.0.1 unless HTTPS/ALLOWED_HOSTS say otherwise. A key is made once in var/.
WORKERS ?= 3
SERVE_ENV = SECRET_KEY="$${SECRET_KEY:-$$(cat var/serve-secret-key)}" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-$(HOST),localhost}" HTTPS="$${HTTPS:-0}" DEBUG=0

.PHONY: help install install-test lock messages run setup serve backup restore screenshots wrk chromium gettext postgresql bench bench-postgres test test-postgres lint demo-passwords reload-content clean

help:
	@echo "make run             set up (venv, install, migrate, course, demo accounts) and serve on http://$(HOST):$(PORT), with a task worker"
	@echo "make serve           production-like: gunicorn ($(WORKERS) threaded workers), WhiteNoise and a task worker on http://$(HOST):$(PORT)"
	@echo "                     (no demo accounts unless DEMO_ACCOUNTS=1; their passwords stay in var/demo-credentials.json)"
	@echo "make backup          copy the database to var/backups/ (safe while the site runs)"
	@echo "make restore FILE=…  replace the database with a backup"
	@echo "make screenshots     retake docs/screenshots/ (the README's pictures) with the browser tests"
	@echo "make bench           seed 100,000 attempts, serve with gunicorn, measure; writes docs/BENCHMARKS.md"
	@echo "make bench-postgres  the same against a throwaway PostgreSQL server"
	@echo "make test            install the test tools (and Debian's chromium, gettext), lint and run the whole test suite"
	@echo "make test-postgres   the whole test suite against a throwaway PostgreSQL server (Debian's postgresql)"
	@echo "make cluster         PostgreSQL, Redis, two app servers, two task workers and HAProxy on loopback (Ctrl-C stops)"
	@echo "make test-cluster    a 300-learner spike through that cluster, with an app server and a task worker killed"
	@echo "make lint            ruff, and mypy over the pure-logic modules"
	@echo "make lock            update uv.lock after editing pyproject.toml (LOCK_ARGS=--upgrade: newest allowed)"
	@echo "make demo-passwords  give the demo accounts new passwords and print them"
	@echo "make reload-content  load fixtures/course.yaml again over the course rows (replaces admin edits to them)"
	@echo "make clean           remove the virtualenv and local data (var/)"

# The venv has no pip of its own (installing pip into it takes longer than all the rest): uv is
# put in it by the pip wheel this Python ships for ensurepip, run as it is, or failing that by pip.
$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)
PIP_WHEEL = $(firstword $(wildcard $(shell $(PYTHON) -c "import ensurepip, os; \
	print(os.path.dirname(ensurepip.__file__))")/_bundled/pip-*.whl /usr/share/python-wheels/pip-*.whl))
PIP = $(if $(PIP_WHEEL),$(BIN)/python $(PIP_WHEEL)/pip,$(BIN)/python -m ensurepip && $(BIN)/python -m pip)

# Python packages come from uv.lock, the versions CI tested (`make lock` updates it), through uv.
# `make run` installs what running needs and the catalogue compiler (polib); `make test` the test
# and lint tools too, and removes anything else.
UV_VERSION := 0.13.8
UV := $(BIN)/uv
UV_SYNC = UV_PROJECT_ENVIRONMENT=$(VENV) UV_PYTHON_DOWNLOADS=never $(UV) sync --locked --quiet \
	--no-default-groups
# With DATABASE_URL naming PostgreSQL, the run install adds its driver (the `postgres` extra).
RUN_EXTRAS := $(if $(filter postgres% pgsql% postgis%,$(DATABASE_URL)),postgres)
RUN_INSTALLED := $(VENV)/.installed-run$(RUN_EXTRAS:%=-%)
TEST_INSTALLED := $(VENV)/.installed-test

$(UV): | $(BIN)/python
	$(PIP) install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Inexact: leaves the test tools of an earlier `make test` in place, so neither undoes the other.
$(RUN_INSTALLED): uv.lock pyproject.toml | $(UV)
	$(UV_SYNC) --inexact --group messages $(RUN_EXTRAS:%=--extra %)
	touch $@

$(TEST_INSTALLED): uv.lock pyproject.toml | $(UV)
	$(UV_SYNC) --group test --extra cluster
	touch $@

install: $(RUN_INSTALLED)
install-test: $(TEST_INSTALLED)

lock: | $(UV)
	$(UV) lock $(LOCK_ARGS)

# The Polish interface: the catalogues (the project's, and its wording of some of Django's admin
# messages) are compiled on every machine, never committed.
MESSAGES := locale/pl/LC_MESSAGES/django.mo
$(MESSAGES): locale/pl/LC_MESSAGES/django.po locale/admin-overrides/pl/LC_MESSAGES/django.po $(RUN_INSTALLED)
	$(BIN)/python scripts/compile-messages

messages: $(MESSAGES)

setup: install messages
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_course
	$(DEV) $(BIN)/python manage.py ensure_demo_users --site http://$(HOST):$(PORT)

run: setup
	@echo "Serving on http://$(HOST):$(PORT)/ with a task worker (Ctrl-C stops both)"
	$(DEV) scripts/serve-with-worker $(BIN)/python $(BIN)/python manage.py runserver $(HOST):$(PORT)

var/serve-secret-key:
	@mkdir -p var
	@$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

serve: install messages var/serve-secret-key
	$(SERVE_ENV) $(BIN)/python manage.py migrate --noinput
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(SERVE_ENV) $(BIN)/python manage.py load_course
# Production makes no demo account unless asked (DEMO_ACCOUNTS=1), and prints no password.
	@if [ "$${DEMO_ACCOUNTS:-0}" = 1 ]; then $(SERVE_ENV) $(BIN)/python manage.py ensure_demo_users --site http://$(HOST):$(PORT); fi
	@echo "Serving with gunicorn and a task worker on http://$(HOST):$(PORT)/ (Ctrl-C stops both)"
	$(SERVE_ENV) scripts/serve-with-worker $(BIN)/python \
		$(BIN)/gunicorn quizsite.wsgi --config gunicorn.conf.py --bind $(HOST):$(PORT) \
		--workers $(WORKERS) --access-logfile -

backup: install
	$(DEV) $(BIN)/python manage.py backup

restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=var/backups/quizsite-….sqlite3"; exit 2; }
	$(DEV) $(BIN)/python manage.py restore "$(FILE)"

screenshots: chromium install-test messages
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest -q tests/browser/test_screenshots.py

# Debian packages, installed when missing (scripts/need-debian: as root or with passwordless sudo;
# otherwise it names them and stops). wrk loads the benchmark's pages beside its own generator;
# the browser tests drive Chromium (or $CHROMIUM); the catalogue test runs makemessages (gettext's
# xgettext); scripts/with-postgres makes a throwaway PostgreSQL server.
NEED_DEBIAN := scripts/need-debian

wrk:
	@$(NEED_DEBIAN) wrk:wrk

chromium:
	@$(NEED_DEBIAN) "$${CHROMIUM:-chromium}:chromium"

gettext:
	@$(NEED_DEBIAN) xgettext:gettext

postgresql:
	@$(NEED_DEBIAN) "/usr/lib/postgresql/*/bin/pg_ctl:postgresql"

bench: install messages wrk
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

bench-postgres: wrk postgresql install-test messages
	scripts/with-postgres $(BIN)/python benchmarks/run.py --postgres $(BENCH_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: chromium gettext install-test messages lint
	$(BIN)/python -m pytest

test-postgres: chromium gettext postgresql install-test messages
	scripts/with-postgres $(BIN)/python -m pytest

demo-passwords: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py ensure_demo_users --reset

reload-content: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py load_course --reload

clean:
	rm -rf $(VENV) var *.egg-info .pytest_cache .ruff_cache .mypy_cache

# `make cluster`: the site scaled out on loopback — PostgreSQL, Redis, two gunicorn app servers,
# two RQ task workers, HAProxy in front — until Ctrl-C (README, "Deploying"). `make
# test-cluster` puts it through a classroom spike with an app server and a worker killed.
# Debian's redis-server, haproxy and postgresql are installed when missing.
.PHONY: cluster cluster-packages test-cluster
CLUSTER_INSTALLED := $(VENV)/.installed-cluster

$(CLUSTER_INSTALLED): uv.lock pyproject.toml | $(UV)
	$(UV_SYNC) --inexact --group messages --extra cluster
	touch $@

cluster-packages: postgresql
	@$(NEED_DEBIAN) redis-server:redis-server haproxy:haproxy

cluster: $(CLUSTER_INSTALLED) messages cluster-packages
	scripts/with-postgres $(BIN)/python -m cluster

test-cluster: install-test messages cluster-packages
	scripts/with-postgres $(BIN)/python -m cluster.check
