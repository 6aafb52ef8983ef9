# Safeguard's commands. On a fresh Debian machine with Python 3.11+ and make, these work
# by themselves: each makes sure uv is there (scripts/uv) and the environment matches
# uv.lock before doing anything else.
#
#   make demo    set up the database under var/ and serve Safeguard at http://127.0.0.1:8000
#   make test    every check: linters, all tests on SQLite, database tests on PostgreSQL
#   make lint    the linters alone
#   make bench   the statutory engine's speed figures
#   make clean   remove caches (keeps .venv and var/, your data)

UV := scripts/uv

.DEFAULT_GOAL := help
.PHONY: help demo test lint bench clean sync

help:
	@sed -n 's/^#   //p' Makefile

sync:
	@$(UV) sync --frozen

demo: sync
	$(UV) run --no-sync safeguard demo || [ $$? -eq 130 ]  # Ctrl+C is how a demo ends

test:
	@scripts/test.sh

lint:
	@scripts/test.sh lint

bench: sync
	$(UV) run --no-sync python benchmarks/engine.py

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache benchmarks/out
	find src tests benchmarks -name __pycache__ -type d -prune -exec rm -rf {} +
