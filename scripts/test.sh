#!/usr/bin/env bash
# Run every test on a fresh machine: set up .venv with the test and LLM extras, install Debian's
# Chromium for the browser tests, lint rag/ (ruff, mypy: any finding fails), run pytest, then the
# evaluation gate on the project's dataset. Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test,llm
echo "==> ruff check rag/ (ruff.toml)" >&2
.venv/bin/ruff check rag/
echo "==> mypy rag/ (mypy.ini)" >&2
.venv/bin/mypy rag/
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    echo "==> installing Debian chromium for the browser tests" >&2
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null) \
      || echo "warning: could not install chromium" >&2
  else
    echo "warning: chromium missing and not root; install Debian's chromium package" >&2
  fi
fi
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
