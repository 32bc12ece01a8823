#!/usr/bin/env bash
# Run the product on the bundled corpus with the offline default models: set up .venv, then start
# one local server (127.0.0.1, port RAG_PORT or 8000) with the chat page at /ui and the HTTP API.
# The index is built on first start. Extra arguments go to `rag serve` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export HF_HUB_OFFLINE=1
exec .venv/bin/rag serve "$@"
