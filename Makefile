# One command for the main job, one for the tests (see README).
.PHONY: setup run test lint bench

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

setup:
	@bash scripts/setup.sh

# Ingest the shipped corpus (only what changed) and answer a sample question.
run: setup
	.venv/bin/kb ingest
	.venv/bin/kb ask "Bidang apa saja yang bisa dikerjasamakan oleh desa?"

test: setup
	.venv/bin/ruff check .
	.venv/bin/mypy kb ingest
	.venv/bin/python -m pytest

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy kb ingest

bench: setup
	.venv/bin/python bench/ingest_bench.py
