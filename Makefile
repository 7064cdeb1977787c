# One command for the main job, one for the tests (see README).
.PHONY: setup run test lint bench

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

setup:
	@bash scripts/setup.sh

# The app on the shipped corpus: ingests what changed (progress in the console), then serves
# http://127.0.0.1:7860 (KB_HOST / KB_PORT to change).
run: setup
	.venv/bin/python app.py

test: setup
	@bash scripts/browser.sh
	.venv/bin/ruff check .
	.venv/bin/mypy kb ingest app.py cli.py
	.venv/bin/python -m pytest

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy kb ingest app.py cli.py

bench: setup
	.venv/bin/python bench/ingest_bench.py
