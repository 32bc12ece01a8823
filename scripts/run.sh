#!/usr/bin/env bash
# Run the product on the bundled corpus with the offline default models: set up .venv, then start
# one local server (127.0.0.1, port RAG_PORT or 8000) with the chat page at /ui and the HTTP API.
# The index is built on first start. Extra arguments go to `rag serve` (e.g. --port 8080).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
export HF_HUB_OFFLINE=1
# An index missing, damaged or built by another pipeline (chunking, dictionaries, model) is rebuilt
# from the bundled corpus first; `rag info` exits non-zero in each of those cases.
if ! .venv/bin/rag info >/dev/null 2>&1; then
  echo "==> (re)building the index of the bundled corpus" >&2
  .venv/bin/rag index --rebuild
fi
exec .venv/bin/rag serve "$@"
