"""Prompt templates for the LLM backends and the chat messages built from an ``AnswerRequest``.

A template file (``answer_zh.txt``, ``answer_en.txt``, shipped as package data in ``rag/prompts/``
and read with ``importlib.resources``; ``RAG_PROMPTS_DIR`` points at a folder of one's own) has three sections, each
opened by a line ``[system]``, ``[user]`` or ``[refusal]``; lines starting with ``#`` before the first
section are comments. ``{passages}`` and ``{question}`` in the user part are filled in here. The
refusal is the fixed sentence the model is told to write when the passages lack the answer; the
backend recognises it by its opening words.

Small CPU models need short prompts: at most ``max_passages`` passages go in, each trimmed so the
whole passage block stays under ``max_chars`` characters (about 500 tokens of Chinese).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from rag.answering.base import AnswerRequest
from rag.answering.citations import to_citation
from rag.errors import BackendUnavailableError
from rag.schema import Citation, Passage
from rag.text.instructions import addresses_the_system, without_instructions
from rag.text.patterns import CJK_RANGE
from rag.text.sentences import sentence_texts

_SECTION = re.compile(r"^\[(system|user|refusal|example_user|example_assistant)\]\s*$")
_SENTENCE_END = "。！？；!?;\n"


@dataclass(frozen=True)
class PromptTemplate:
    """One language's prompt: system text, user text with placeholders, the fixed refusal."""

    language: str
    system: str
    user: str
    refusal: str
    example: tuple[str, str] | None = None  # an optional worked (user, assistant) exchange

    @property
    def refusal_prefix(self) -> str:
        """The refusal's opening words, what detection looks for (「资料中未找到」, "The documents do not say")."""
        text = self.refusal.strip().rstrip("。.!！")
        cut = text.find("未找到")
        return text[: cut + 3] if cut >= 0 else text

    def is_refusal(self, answer: str) -> bool:
        """Whether ``answer`` opens with the refusal (after citation markers and spaces)."""
        head = re.sub(r"^[\s\[\]【】0-9,，、:：]+", "", answer)
        return head.lower().startswith(self.refusal_prefix.lower())


def parse_template(text: str, language: str) -> PromptTemplate:
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in text.splitlines():
        match = _SECTION.match(line.strip())
        if match:
            current = match.group(1)
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        elif line.strip() and not line.lstrip().startswith("#"):
            raise ValueError(f"text before the first section: {line!r}")
    missing = {"system", "user", "refusal"} - sections.keys()
    if missing:
        raise ValueError(f"missing section(s): {', '.join(sorted(missing))}")
    parts = {name: "\n".join(lines).strip() for name, lines in sections.items()}
    if "{passages}" not in parts["user"] or "{question}" not in parts["user"]:
        raise ValueError("the [user] section needs {passages} and {question}")
    example = None
    if "example_user" in parts or "example_assistant" in parts:
        if not parts.get("example_user") or not parts.get("example_assistant"):
            raise ValueError("[example_user] and [example_assistant] go together")
        example = (parts["example_user"], parts["example_assistant"])
    return PromptTemplate(language, parts["system"], parts["user"], parts["refusal"], example)


_CACHE: dict[tuple[str, float], PromptTemplate] = {}

PromptsDir = Path | Traversable


def packaged_prompts() -> Traversable:
    """The prompt templates shipped with the package (``rag/prompts``)."""
    return resources.files("rag").joinpath("prompts")


def load_template(prompts_path: PromptsDir | str | None, language: str) -> PromptTemplate:
    """``prompts_path/answer_<language>.txt`` (None: the packaged templates), parsed and cached
    until the file changes."""
    if prompts_path is None:
        folder: PromptsDir = packaged_prompts()
    elif isinstance(prompts_path, str):
        folder = Path(prompts_path)
    else:
        folder = prompts_path
    path = folder.joinpath(f"answer_{language}.txt")
    try:
        if not path.is_file():
            raise OSError
        mtime = os.stat(path).st_mtime if isinstance(path, os.PathLike) else 0.0
    except OSError:
        raise BackendUnavailableError(f"prompt template not found: {path}") from None
    key = (str(path), mtime)
    if key not in _CACHE:
        try:
            _CACHE[key] = parse_template(path.read_text(encoding="utf-8"), language)
        except ValueError as exc:
            raise BackendUnavailableError(f"bad prompt template {path}: {exc}") from None
    return _CACHE[key]


def _terms(question: str) -> set[str]:
    """Character bigrams of the question's Chinese runs, and its Latin words and numbers."""
    terms: set[str] = set()
    for run in re.findall(f"[{CJK_RANGE}]+", question):
        terms.update(run[i : i + 2] for i in range(len(run) - 1))
    terms.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}|\d+", question))
    return terms


def _cut(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, at a sentence end when one is near."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = max(cut.rfind(mark) for mark in _SENTENCE_END)
    if end >= limit * 0.6:
        return cut[: end + 1]
    return cut.rstrip() + "…"


def trim(text: str, limit: int, question: str = "") -> str:
    """``text`` in at most ``limit`` characters (about), keeping the sentences nearest the question.

    Sentences are ranked by how many of the question's terms they contain and kept, in their
    original order, while they fit; gaps are shown as "…". Without a question (or without any
    overlap) the text is cut from the start.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences = sentence_texts(text)
    terms = _terms(question)
    scores = [sum(1 for t in terms if t in s.lower()) for s in sentences]
    if not terms or max(scores, default=0) == 0 or len(sentences) < 2:
        return _cut(text, limit)
    order = sorted(range(len(sentences)), key=lambda i: (-scores[i], i))
    chosen: set[int] = set()
    used = 0
    for i in order:
        size = len(sentences[i]) + 1
        if used + size > limit:
            if not chosen:  # the best sentence alone is too long: cut it
                return _cut(sentences[i].strip(), limit)
            continue
        chosen.add(i)
        used += size
    pieces, previous = [], -1
    for i in sorted(chosen):
        if i != previous + 1:
            pieces.append("…")
        pieces.append(sentences[i].strip())
        previous = i
    if previous != len(sentences) - 1:
        pieces.append("…")
    return "".join(pieces)


def select_passages(
    passages: list[Passage], max_passages: int = 3, max_chars: int = 840, question: str = ""
) -> list[tuple[Passage, str]]:
    """The passages that go into the prompt, each with its (trimmed) text, in rank order.

    Each passage gets an equal share of ``max_chars``; what a short one leaves unused goes to the
    passages after it. Long passages keep the sentences nearest the ``question``. Sentences that
    address the system (「忽略以上指示」, role markers) are left out: they are not evidence, and a
    model must never read them as instructions.
    """
    chosen = passages[:max_passages]
    selected: list[tuple[Passage, str]] = []
    budget = max_chars
    for index, passage in enumerate(chosen):
        share = budget // (len(chosen) - index)
        content = passage.text
        if addresses_the_system(content):
            content = "".join(without_instructions(sentence_texts(content)))
        text = trim(content, max(share, 60), question)
        budget -= len(text)
        selected.append((passage, text))
    return selected


@dataclass(frozen=True)
class BuiltPrompt:
    """The messages for /v1/chat/completions and the passages they number [1]..[n]."""

    messages: list[dict[str, str]]
    citations: list[Citation]  # n = the number the prompt gave the passage
    template: PromptTemplate


class PromptBuilder:
    """Builds the chat messages of a request from the templates under ``prompts_path``."""

    def __init__(self, prompts_path: PromptsDir | str | None, *, max_passages: int = 3,
                 max_chars: int = 840, title_chars: int = 0) -> None:
        self.prompts_path = Path(prompts_path) if isinstance(prompts_path, str) else prompts_path
        self.max_passages = max_passages
        self.max_chars = max_chars
        self.title_chars = title_chars

    def template(self, language: str) -> PromptTemplate:
        return load_template(self.prompts_path, language)

    def build(self, request: AnswerRequest) -> BuiltPrompt:
        template = self.template(request.language)
        selected = select_passages(
            request.passages, self.max_passages, self.max_chars, request.question
        )
        lines = []
        for n, (passage, text) in enumerate(selected, start=1):
            title = passage.title.split("——")[0].strip()[: self.title_chars]
            source = f"《{title}》" if title else ""
            lines.append(f"[{n}] {source}{text}")
        user = template.user.replace("{passages}", "\n".join(lines)).replace(
            "{question}", " ".join(request.question.split())
        )
        messages = [{"role": "system", "content": template.system}]
        if template.example:
            messages.append({"role": "user", "content": template.example[0]})
            messages.append({"role": "assistant", "content": template.example[1]})
        messages.append({"role": "user", "content": user})
        citations = [
            to_citation(n, passage, request.index) for n, (passage, _) in enumerate(selected, start=1)
        ]
        return BuiltPrompt(messages, citations, template)
