#!/usr/bin/env bash
# Run every test on a fresh machine: set up .venv with the test, LLM (0.5B and 1.5B), Milvus and Ray extras, install Debian's
# Chromium for the browser tests, lint rag/ (ruff, mypy: any finding fails), run pytest, then the
# evaluation gate on the project's dataset. Arguments are passed to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh test,llm,llm-large,milvus,ray
echo "==> ruff check rag/ (ruff.toml)" >&2
.venv/bin/ruff check rag/
echo "==> mypy rag/ (mypy.ini)" >&2
.venv/bin/mypy rag/
# Debian packages the tests need: chromium (browser tests), a CJK font (the chat page, and the PDFs
# the format tests typeset and OCR), LibreOffice Writer (the product converts .doc/.wps with it).
install_debian() {  # install_debian COMMAND-THAT-MUST-EXIST APT-OPTIONS PACKAGES...
  local present="$1" options="$2"; shift 2
  if ! eval "$present" >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ]; then
      echo "==> installing Debian $*" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $options "$@" >/dev/null) \
        || echo "warning: could not install $*" >&2
    else
      echo "warning: $* missing and not root; install Debian's $*" >&2
    fi
  fi
}
install_debian "command -v chromium" "" chromium fonts-wqy-zenhei
install_debian "fc-list :lang=zh | grep -q ." "" fonts-wqy-zenhei
install_debian "command -v soffice" "--no-install-recommends" libreoffice-writer-nogui
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
