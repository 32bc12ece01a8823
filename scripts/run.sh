#!/usr/bin/env bash
# Run the product on the bundled corpus with the offline default models: set up, index if missing,
# then start the chat page and HTTP API on 127.0.0.1 (RAG_PORT, default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec .venv/bin/rag chat "$@"
