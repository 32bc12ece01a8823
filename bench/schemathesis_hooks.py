"""schemathesis hooks for the fuzz run (loaded through ``SCHEMATHESIS_HOOKS=schemathesis_hooks``).

The LLM backends (``openai``, ``local``) are left out of fuzzing: they need a model server, and
without one their documented answer is 503 ("backend unreachable"), which is right but would be
counted as a server error; with one, each example would cost seconds of generation. The spec the
fuzzer reads offers only ``extractive`` for ``backend``, and bodies naming an LLM backend are
dropped; everything else of ``POST /ask`` is fuzzed.
"""

from __future__ import annotations

from typing import Any

import schemathesis

LLM_BACKENDS = frozenset({"openai", "local"})


@schemathesis.hook
def before_load_schema(context: Any, raw_schema: dict[str, Any]) -> None:
    backend = raw_schema.get("components", {}).get("schemas", {}).get("AskRequest", {}).get("properties", {}).get(
        "backend", {}
    )
    for option in backend.get("anyOf", [backend]):
        if "enum" in option:
            option["enum"] = [name for name in option["enum"] if name not in LLM_BACKENDS]


@schemathesis.hook
def filter_body(context: Any, body: Any) -> bool:
    backend = body.get("backend") if isinstance(body, dict) else None
    return not (isinstance(backend, str) and backend in LLM_BACKENDS)
