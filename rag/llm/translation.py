"""English questions turned into Chinese questions by the local Qwen2.5-1.5B, checked before use.

Why: the documents are Chinese, and an English question reaches them only through the multilingual
embedding, the glossary and loose dictionary words, which often fail to pick the right figure of a
sentence. A Chinese rendering of the question (「…选举了多少名工会联络员？」) gives retrieval and the
extractive backend the words the documents use.

Why checked: a small model sometimes answers instead of translating, loops, drops the Chinese the
user wrote in parentheses, or returns English. ``rejection`` names what is wrong with an output; a
rejected output is dropped and the question goes the way it went without translation. The checks
cannot catch a mistranslated proper name, so the caller keeps the English question's own places,
years and editions as the constraints the answer is checked against.

The 0.5B model translated badly and is not offered. The model server is started on the first
English question (``QuestionTranslator.translate``), shared by every translator of the process that
uses the same model file (two engines in one process, as in the CI's two evaluations, load it once)
and stopped when the last translator closes or the process exits. Translations are kept in an
in-memory LRU, shared the same way. An unavailable model is logged once and never retried by that
translator: questions are answered without translation.
"""

from __future__ import annotations

import atexit
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rag.errors import BackendUnavailableError
from rag.llm.client import ChatCompletionsClient
from rag.llm.model_files import ensure_model
from rag.llm.server import ModelServer
from rag.settings import Settings
from rag.text.patterns import CJK, CJK_RANGE

logger = logging.getLogger("rag.translation")

#: The instruction: a question in official wording, full names, nothing but the translation.
SYSTEM_PROMPT = (
    "把用户的英文问题翻译成简体中文公文用语的问题。地名、机构名用中文全称。"
    "括号里的中文原样保留。不要回答问题，只输出译文。"
)

#: Words that make a Chinese sentence a question; an output without one is an answer or a statement.
_QUESTION_MARKERS = re.compile(r"[？?]|多少|几|哪|什么|谁|何|吗|如何|怎么|怎样|是否|为何|为什么")
#: A run of CJK text the user wrote (工会联络员): the translation must keep it.
_CJK_RUN = re.compile(f"[{CJK_RANGE}]+")
#: An English word the model left untranslated (appoint了…liaison官员); acronyms (GDP) may stay.
_ENGLISH_WORD = re.compile(r"[A-Za-z]*[a-z]{3,}[A-Za-z]*")
#: Digit runs (figures, years): a translation must not add one the question lacks.
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
#: A piece of two or more characters repeated three times in a row: the model looping.
_LOOP = re.compile(r"(.{2,}?)\1{2,}", re.S)
#: What the model sometimes puts before its translation.
_LABEL = re.compile(r"^(?:译文|翻译|中文|问题|Translation|Chinese)\s*[:：]\s*", re.I)
_WRAPPERS = "\"'“”‘’「」『』 \t"


def clean_output(output: str) -> str:
    """The translation's first non-empty line without labels or wrapping quotes."""
    lines = [line.strip() for line in output.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    return _LABEL.sub("", lines[0]).strip(_WRAPPERS)


def rejection(question: str, translation: str, max_chars: int) -> str | None:
    """Why ``translation`` cannot stand for ``question`` (None when it can).

    Rejected: no Chinese; longer than ``max_chars`` (a translation is shorter than its English
    question; a long output explains or answers); a loop; English words left in it (a half
    translation's words match nothing in Chinese documents); a figure the question does not state (an
    answer, not a translation); no question word while the question asks one (a statement, an
    answer); a Chinese term the user wrote in the question that the translation lost.
    """
    if not CJK.search(translation):
        return "no Chinese in the output"
    if len(translation) > max_chars:
        return f"longer than {max_chars} characters"
    if _LOOP.search(translation):
        return "repeats itself"
    left = _ENGLISH_WORD.findall(translation)
    if left:
        return f"left English words untranslated ({', '.join(left[:3])})"
    added = set(_DIGITS.findall(translation)) - set(_DIGITS.findall(question))
    if added:
        return f"states a figure the question lacks ({', '.join(sorted(added))})"
    if _QUESTION_MARKERS.search(translation) is None:
        return "is not a question"
    lost = [run for run in _CJK_RUN.findall(question) if run not in translation]
    if lost:
        return f"lost the question's Chinese ({', '.join(lost)})"
    return None


def max_chars_for(question: str) -> int:
    """The longest acceptable translation: Chinese takes fewer characters than English, so a
    translation as long as the question (plus room for short ones) is already suspect."""
    return max(24, len(question) * 2 // 3)


@dataclass(frozen=True)
class Translation:
    """A checked translation of one question."""

    question: str
    text: str


class _SharedServer:
    """One llama.cpp server per model file for the whole process, counted by its users."""

    _lock = threading.Lock()
    _servers: dict[Path, tuple[ModelServer, int]] = {}

    @classmethod
    def acquire(cls, path: Path, settings: Settings, alias: str) -> str:
        with cls._lock:
            server, users = cls._servers.get(path, (None, 0))
            if server is None:
                server = ModelServer(path, threads=settings.llm_threads, context=1024, alias=alias)
            base_url = server.start()
            cls._servers[path] = (server, users + 1)
            return base_url

    @classmethod
    def release(cls, path: Path) -> None:
        with cls._lock:
            server, users = cls._servers.get(path, (None, 0))
            if server is None:
                return
            if users <= 1:
                del cls._servers[path]
                server.stop()
            else:
                cls._servers[path] = (server, users - 1)

    @classmethod
    def stop_all(cls) -> None:
        with cls._lock:
            servers, cls._servers = list(cls._servers.values()), {}
        for server, _ in servers:
            server.stop()


atexit.register(_SharedServer.stop_all)


class _Cache:
    """A thread-safe LRU of checked outputs (None: the output was rejected), shared per process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[bool, str | None]:
        with self._lock:
            if key not in self._items:
                return False, None
            self._items.move_to_end(key)
            return True, self._items[key]

    def put(self, key: tuple[str, str], value: str | None) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_CACHE = _Cache(4096)


class QuestionTranslator:
    """English question -> checked Chinese question, or None (then the caller goes without)."""

    def __init__(
        self,
        settings: Settings,
        *,
        model_path: Path | None = None,
        base_url: Callable[[], str | None] | None = None,
    ) -> None:
        """``model_path``: the GGUF to serve (default: ``settings.question_translation_model``
        assembled in the cache). ``base_url``: a server already running the same model (the local
        backend's), asked first; None from it means start our own."""
        self.settings = settings
        self.model = settings.question_translation_model
        self._model_path = model_path
        self._external = base_url
        self._lock = threading.Lock()
        self._client: ChatCompletionsClient | None = None
        self._acquired: Path | None = None
        self._unavailable: str | None = None  # why, once the model failed to start
        #: Counters for reports: translations used (cached ones too), outputs rejected, model calls.
        self.used = 0
        self.rejected = 0
        self.calls = 0

    @property
    def unavailable(self) -> str | None:
        return self._unavailable

    def _connect(self) -> ChatCompletionsClient | None:
        with self._lock:
            if self._client is not None or self._unavailable is not None:
                return self._client
            try:
                url = self._external() if self._external is not None else None
                if url is None:
                    path = self._model_path or ensure_model(
                        self.model, self.settings.resolve(self.settings.cache_dir)
                    )
                    url = _SharedServer.acquire(path, self.settings, self.model)
                    self._acquired = path
            except BackendUnavailableError as error:
                self._unavailable = str(error)
                logger.warning("English questions are answered without translation: %s", error)
                return None
            self._client = ChatCompletionsClient(
                url,
                self.model,
                timeout=self.settings.question_translation_timeout,
                retries=0,
                max_tokens=60,
            )
            return self._client

    def translate(self, question: str) -> Translation | None:
        """The checked Chinese question for English ``question``, or None (model unavailable,
        too slow, or an output the checks reject)."""
        key = (self.model, question)
        found, cached = _CACHE.get(key)
        if found:
            if cached is None:
                return None
            self.used += 1
            return Translation(question, cached)
        client = self._connect()
        if client is None:
            return None
        messages = [
            # No worked example: the model copied its phrases into other questions' translations.
            {"role": "system", "content": SYSTEM_PROMPT},
            {"role": "user", "content": question},
        ]
        self.calls += 1
        try:
            output = clean_output(client.complete(messages))
        except BackendUnavailableError as error:
            logger.info("translation skipped: %s", error)  # a timeout: not cached, may work next time
            return None
        reason = rejection(question, output, max_chars_for(question))
        if reason is not None:
            self.rejected += 1
            logger.info("translation of %r rejected (%s): %r", question, reason, output)
            _CACHE.put(key, None)
            return None
        self.used += 1
        _CACHE.put(key, output)
        return Translation(question, output)

    def close(self) -> None:
        """Close the client and release the shared server (stopped when no translator uses it)."""
        with self._lock:
            client, self._client = self._client, None
            acquired, self._acquired = self._acquired, None
        if client is not None:
            client.close()
        if acquired is not None:
            _SharedServer.release(acquired)

