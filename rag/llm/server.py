"""An OpenAI-compatible llama.cpp HTTP server on the loopback interface, run in-process by xllamacpp.

``xllamacpp.Server(params)`` loads the model synchronously, then serves llama.cpp's native HTTP API
(``/health``, ``/v1/models``, ``/v1/chat/completions`` with SSE streaming, ...) from native threads
of this process; dropping the last reference to it stops the server and frees the model. This module
wraps that lifecycle: ``ModelServer`` (start/stop, for a long-lived backend) and the context manager
``run_model_server`` (for tests and the ``rag llm-server`` command).

The URL handed out ends in ``/v1`` so it plugs straight into ``Settings.openai_base_url``.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from rag.errors import BackendUnavailableError
from rag.settings import Settings

#: The model name the server answers to (``/v1/models`` and the ``model`` field of a request).
DEFAULT_ALIAS = "qwen2.5"

#: llama.cpp log threshold: 0 silent, 1 errors, 2 warnings, 3 info (llama.cpp's default), 4 debug.
DEFAULT_LOG_VERBOSITY = 1


class ModelServer:
    """One llama.cpp server for one GGUF file on ``host:port`` (port 0 = a free port)."""

    def __init__(
        self,
        model_path: Path | str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        threads: int = 2,
        context: int = 2048,
        parallel: int = 1,
        alias: str = DEFAULT_ALIAS,
        startup_timeout: float = 120.0,
        log_verbosity: int = DEFAULT_LOG_VERBOSITY,
    ) -> None:
        self.model_path = Path(model_path)
        self.host = host
        self.port = port
        self.threads = threads
        self.context = context
        self.parallel = parallel
        self.alias = alias
        self.startup_timeout = startup_timeout
        self.log_verbosity = log_verbosity
        self._server = None
        self._lock = threading.Lock()
        self.address: str | None = None  # "http://127.0.0.1:PORT" once started
        self.startup_seconds: float | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL (``http://host:port/v1``); the server must be running."""
        if self.address is None:
            raise BackendUnavailableError("the local model server is not running")
        return self.address + "/v1"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> str:
        """Load the model, serve it and wait until it answers ``/health``; returns ``base_url``."""
        with self._lock:
            if self._server is not None:
                return self.base_url
            try:
                import xllamacpp
            except ImportError as exc:
                raise BackendUnavailableError(
                    "the local LLM runtime is not installed: install the 'llm' extra "
                    "(pip install -e '.[llm]', which pins xllamacpp)"
                ) from exc
            if not self.model_path.is_file():
                raise BackendUnavailableError(f"model file not found: {self.model_path}")
            began = time.perf_counter()
            params = xllamacpp.CommonParams()
            params.model.path = str(self.model_path)
            params.n_ctx = self.context  # explicit: the default is the model's whole 32k context
            params.n_parallel = self.parallel
            params.cpuparams.n_threads = self.threads  # the default is 1 thread
            params.cpuparams_batch.n_threads = self.threads
            params.hostnames = [self.host]
            params.port = self.port
            params.model_alias = {self.alias}
            params.verbosity = self.log_verbosity
            params.fit_params = False  # CPU only: nothing to fit, and it loads the model twice
            try:
                server = xllamacpp.Server(params)
            except RuntimeError as exc:
                raise BackendUnavailableError(
                    f"the local model server could not start on {self.host}:{self.port or 'a free port'}"
                    f" with {self.model_path.name} (port in use, or not a valid GGUF file): {exc}"
                ) from exc
            address = str(server.listening_address).rstrip("/")
            try:
                _wait_healthy(address, self.startup_timeout)
            except BaseException:
                server = None  # drop the only reference: the native destructor stops it
                gc.collect()
                raise
            self._server = server
            self.address = address
            self.startup_seconds = time.perf_counter() - began
            return self.base_url

    def stop(self) -> None:
        """Stop serving and free the model (idempotent)."""
        with self._lock:
            server, self._server = self._server, None
            self.address = None
            if server is not None:
                server = None  # the native destructor stops the HTTP thread and the main loop
                gc.collect()

    def __enter__(self) -> ModelServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _wait_healthy(address: str, timeout: float) -> None:
    """Poll ``/health`` until it says ok (llama.cpp answers 503 while the model is loading)."""
    deadline = time.monotonic() + timeout
    last = "no answer"
    with httpx.Client(timeout=2.0, trust_env=False) as client:
        while True:
            try:
                response = client.get(address + "/health")
                if response.status_code == 200:
                    return
                last = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                last = repr(exc)
            if time.monotonic() > deadline:
                raise BackendUnavailableError(
                    f"the local model server at {address} did not become ready in {timeout:.0f} s ({last})"
                )
            time.sleep(0.1)


@contextmanager
def run_model_server(
    model_path: Path | str,
    port: int = 0,
    *,
    host: str = "127.0.0.1",
    threads: int = 2,
    context: int = 2048,
    alias: str = DEFAULT_ALIAS,
    startup_timeout: float = 120.0,
    log_verbosity: int = DEFAULT_LOG_VERBOSITY,
) -> Iterator[str]:
    """Serve ``model_path`` for the ``with`` block; yields the base URL ``http://host:port/v1``."""
    server = ModelServer(
        model_path,
        host=host,
        port=port,
        threads=threads,
        context=context,
        alias=alias,
        startup_timeout=startup_timeout,
        log_verbosity=log_verbosity,
    )
    try:
        yield server.start()
    finally:
        server.stop()


def serve(
    settings: Settings,
    *,
    port: int = 8080,
    host: str = "127.0.0.1",
    model_path: Path | str | None = None,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the configured local model until interrupted (for a ``rag llm-server`` command).

    Assembles ``settings.local_model`` into the cache first if needed; ``on_ready(base_url)`` is
    called once the server answers (default: print the URL). Point ``RAG_OPENAI_BASE_URL`` at it.
    """
    from rag.llm.model_files import ensure_model

    path = model_path or ensure_model(settings.local_model, settings.resolve(settings.cache_dir))
    with run_model_server(
        path,
        port,
        host=host,
        threads=settings.llm_threads,
        context=settings.llm_context,
        alias=settings.openai_model,
    ) as base_url:
        (on_ready or (lambda url: print(f"serving {Path(path).name} at {url}", flush=True)))(base_url)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
