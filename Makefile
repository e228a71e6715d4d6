# The two commands: `make run` and `make test`. Everything else is a helper.
# With DATABASE_URL set, both use that database instead of the embedded cluster.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python

.PHONY: help setup db run test lint format bench db-stop cluster cluster-stop
help:
	@echo "make run    set up, start the database, migrate, load demo data, serve API + worker"
	@echo "make test   set up, start the database, run lint, migration check and the test suite"
	@echo "make bench  benchmarks (not part of the test suite)"
	@echo "make cluster / make cluster-stop  the production layout on this machine: nginx, two"
	@echo "            web nodes, Redis, a streaming replica, two workers (scripts/cluster)"

setup:
	@scripts/setup

db: setup
	@scripts/with-db sh -c 'echo "database: $$DATABASE_URL"'

run: setup
	@scripts/with-db scripts/run

test: setup
	@scripts/with-db scripts/test $(ARGS)

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .

format:
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

bench: setup
	@scripts/bench

db-stop:
	@scripts/devdb stop

cluster: setup
	@scripts/cluster start

cluster-stop:
	@scripts/cluster stop
