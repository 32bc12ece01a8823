"""The engine: one object that owns the index, the models and the backends, for CLI, API and UI.

Models are loaded once when the engine opens. The index is an immutable snapshot held by reference:
a request takes the current snapshot once and uses it throughout, while document changes build a
new snapshot under a writer lock, save it atomically, and only then swap the reference. Readers
therefore see the old or the new index, never a half-built one.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rag.answering.base import AnswerRequest, StreamEvent
from rag.answering.composite import CompositeQuestion, combine, split_composite
from rag.answering.conversation import FollowUpResolver
from rag.answering.question import QuestionAnalysis, QuestionAnalyzer
from rag.answering.refusal import refusal_text
from rag.answering.registry import BackendRegistry
from rag.errors import BackendUnavailableError, InvalidQuestionError
from rag.ingest.indexing import Indexer, IndexReport, embedder_for, index_pipeline
from rag.llm.translation import QuestionTranslator
from rag.retrieval.retriever import FusionWeights, HybridRetriever, RetrievalMode, RetrievalResult
from rag.schema import Answer, ChatTurn, Citation, Document, Passage
from rag.settings import Settings
from rag.store.embedding import Embedder
from rag.store.index import DocumentIndex, IndexInfo
from rag.store.index_store import IndexStore
from rag.store.stores import open_store
from rag.text.glossary import Glossary
from rag.text.patterns import CJK
from rag.text.places import ADMIN_ENDINGS, Place
from rag.text.tokenizing import shared_tokenizer


@dataclass(frozen=True)
class DocumentSummary:
    """One indexed document as listed by ``rag info``, ``GET /documents`` and the UI."""

    doc_id: str
    title: str
    chunks: int
    characters: int
    content_hash: str
    added_by: str = ""
    added_at: str = ""


logger = logging.getLogger("rag.engine")

#: A question needs at least this many informative units (see ``informative_units``).
MIN_INFORMATIVE_UNITS = 2
_LATIN_WORD = re.compile(r"[^\W\d_]{2,}")


def has_lone_surrogate(text: str) -> bool:
    """True when ``text`` holds a UTF-16 surrogate code point, which no valid Unicode text has
    (JSON's ``"\\ud800"`` decodes to one) and which cannot be encoded as UTF-8."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def informative_units(text: str) -> int:
    """How much a question says, by a general rule, not a list of bad inputs.

    Format characters (zero-width spaces, joiners, BOMs: Unicode category Cf) are removed; then
    every CJK ideograph counts one, and every run of two or more letters of another script (a
    word such as ``Harbin``) counts one. Digits and punctuation count nothing on their own:
    ``"1"``, ``"？？？。。"`` and ``"\\u200b\\u200b"`` say nothing; ``"asdfgh"`` is one word.
    """
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")
    ideographs = sum(1 for c in visible if unicodedata.category(c) == "Lo" and _is_cjk(c))
    words = len(_LATIN_WORD.findall("".join(" " if _is_cjk(c) else c for c in visible)))
    return ideographs + words


def _is_cjk(char: str) -> bool:
    return "CJK" in unicodedata.name(char, "")


def validate_question(question: object, max_chars: int) -> str:
    """The question stripped, or ``InvalidQuestionError`` with a message a user understands.

    Rejected: empty, over ``max_chars``, invalid Unicode (a lone surrogate), and contentless
    questions: fewer than ``MIN_INFORMATIVE_UNITS`` informative units (``informative_units``:
    CJK characters and words of two or more letters), e.g. only punctuation, digits, zero-width
    characters, or a single word of keyboard mash.
    """
    if not isinstance(question, str) or not question.strip():
        raise InvalidQuestionError("the question is empty; type a question")
    text = question.strip()
    if len(text) > max_chars:
        raise InvalidQuestionError(
            f"the question is {len(text)} characters long; the limit is {max_chars} "
            "(RAG_MAX_QUESTION_CHARS)"
        )
    if has_lone_surrogate(text):
        raise InvalidQuestionError("the question is not valid Unicode text (it holds a lone surrogate)")
    if informative_units(text) < MIN_INFORMATIVE_UNITS:
        raise InvalidQuestionError(
            "the question has no content to search for: write at least two Chinese characters or "
            "two words (punctuation, digits and invisible characters alone are not a question)"
        )
    return text


def _clean_quietly(store: IndexStore) -> None:
    """Remove a crashed save's leftovers and old generations at start; a read-only index folder
    is still served (cleaning is housekeeping, never a reason not to start)."""
    try:
        store.clean()
    except OSError as error:
        logger.warning("could not clean the index at %s: %s", store.location, error)


def _with_pages(citation: Citation, index: DocumentIndex) -> Citation:
    """The citation with the pages and OCR flag of the chunk it cites (unchanged if not found)."""
    item = index.documents.get(citation.doc)
    if item is None:
        return citation
    for chunk in item.chunks:
        if chunk.start == citation.start and chunk.end == citation.end:
            return citation.model_copy(update={"pages": list(chunk.pages), "ocr": chunk.ocr})
    return citation


class Engine:
    """Indexing, retrieval and answering over one index directory."""

    def __init__(
        self, settings: Settings, embedder: Embedder, index: DocumentIndex, store: IndexStore | None = None
    ) -> None:
        self.settings = settings
        self.embedder = embedder
        self.tokenizer = shared_tokenizer(settings.domain_pack_dir)
        self.analyzer = QuestionAnalyzer(glossary=Glossary(settings.domain_pack_dir))
        self.resolver = FollowUpResolver(self.analyzer.gazetteer, self.tokenizer)
        self.store = store or open_store(settings)
        self.indexer = Indexer(settings, embedder, self.tokenizer, self.analyzer.gazetteer)
        self.retriever = HybridRetriever(
            embedder,
            self.tokenizer,
            candidate_k=settings.candidate_k,
            rrf_k=settings.rrf_k,
            weights_zh=FusionWeights(settings.dense_weight, settings.bm25_weight),
            weights_en=FusionWeights(settings.dense_weight, settings.bm25_weight_latin),
            mode=settings.retrieval_mode,
            analyzer=self.analyzer,
            keep_lexical_leaders=settings.keep_lexical_leaders,
        )
        self.backends = BackendRegistry(settings, self.tokenizer, self.analyzer)
        # English questions translated into Chinese by the local model (started on the first one).
        self.translator = (
            QuestionTranslator(settings, base_url=self._local_backend_url)
            if settings.question_translation == "local" else None
        )
        self._index = index.deferring(settings.merge_in_background)
        self._write_lock = threading.Lock()
        self._merge: threading.Thread | None = None
        self._document_places: tuple[DocumentIndex, list[Place]] | None = None
        #: each document's place by (id, content hash), kept across snapshots
        self._place_of: dict[tuple[str, str], Place | None] = {}

    # ----- opening -----
    @classmethod
    def open(cls, settings: Settings, *, allow_empty: bool = False, rebuild: bool = False) -> Engine:
        """Load the models and the saved index. The model and the rest of the pipeline are checked
        against the index's manifest before the index is read, so a mismatch is reported without
        loading anything large. ``rebuild``: start empty, ignoring the saved index (it is about
        to be replaced)."""
        store = open_store(settings)
        has_index = store.exists() and not rebuild
        if has_index:
            store.check_pipeline(index_pipeline(settings))
        elif not allow_empty:
            store.current_generation()  # raises IndexNotFoundError with the how-to message
        embedder = embedder_for(settings)
        if has_index:
            store.check_model(embedder.model_name, embedder.dimension)
            _clean_quietly(store)
            index = store.load()
        else:
            index = store.snapshot(DocumentIndex(embedder.model_name, embedder.dimension, settings.index_type))
        return cls(settings, embedder, index, store)

    @property
    def index(self) -> DocumentIndex:
        """The current snapshot (take it once per request)."""
        return self._index

    # ----- asking -----
    def resolve(self, question: str, history: Sequence[ChatTurn] = ()) -> str:
        return self.resolver.resolve(question, history)

    def retrieve(
        self, query: str, k: int | None = None, mode: RetrievalMode | None = None,
        index: DocumentIndex | None = None, analysis: QuestionAnalysis | None = None,
    ) -> RetrievalResult:
        """Passages for ``query``; ``analysis`` is the query's analysis when the caller has it."""
        analysis = analysis or self.analyzer.analyze(query)
        return self.retriever.retrieve(
            index or self._index, query, k or self.settings.top_k, mode, analysis=analysis
        )

    def search(self, query: str, k: int | None = None, mode: RetrievalMode | None = None) -> list[Passage]:
        text = validate_question(query, self.settings.max_question_chars)
        return self.retrieve(text, k, mode).passages

    def _prepare(self, question: str, history: Sequence[ChatTurn]) -> tuple[str, str, QuestionAnalysis, str]:
        """The question as typed (validated); the question to answer (resolved against the
        history; for an English question in ``replace`` translation mode, its Chinese translation);
        its analysis, made once: retrieval and the backend share it; and the typed question when
        it was a follow-up (the backend's ``original_question``), else ''."""
        text = validate_question(question, self.settings.max_question_chars)
        resolved = self.resolve(text, history)
        follow_up = text if resolved != text else ""
        analysis = self._analyze(resolved, self._index, follow_up=text)
        if self.translator is None or analysis.language != "en":
            return text, resolved, analysis, follow_up
        translation = self.translator.translate(resolved)
        if translation is None:
            return text, resolved, analysis, follow_up
        if self.settings.question_translation_mode == "replace":
            translated = self._analyze(translation.text, self._index)
            if translated.language == "zh" and self.analyzer.agrees(analysis, translated):
                return text, translation.text, replace(translated, translation=translation.text), follow_up
        return text, resolved, self.analyzer.with_translation(analysis, translation.text), follow_up

    @staticmethod
    def _translated(analysis: QuestionAnalysis) -> bool:
        """Whether the question answered is the Chinese translation of an English one (``replace``)."""
        return bool(analysis.translation) and analysis.text == analysis.translation

    def _english_facing(self, answer: Answer, analysis: QuestionAnalysis) -> Answer:
        """An answer to the translated question worded for the English reader, as the English path
        words its answers: the short answer first, then the Chinese evidence; refusals in English."""
        if not self._translated(analysis):
            return answer
        if answer.refused:
            missing = answer.refusal.missing if answer.refusal is not None else []
            return answer.model_copy(update={"answer": refusal_text("en", missing)})
        lead = f"{answer.short_answer}. " if answer.short_answer else ""
        return answer.model_copy(update={"answer": f"{lead}The documents state (in Chinese): {answer.answer}"})

    def _local_backend_url(self) -> str | None:
        """The local backend's server when it already serves the translation model (one model in
        memory, not two); None otherwise."""
        backend = self.backends.loaded().get("local")
        server = getattr(backend, "server", None)
        if (
            server is None or not server.running
            or self.settings.local_model != self.settings.question_translation_model
        ):
            return None
        return str(server.base_url)

    def close(self) -> None:
        """Release what the engine started besides the backends: the translation model's server."""
        if self.translator is not None:
            self.translator.close()

    def _analyze(self, question: str, index: DocumentIndex, follow_up: str | None = None) -> QuestionAnalysis:
        """The question's analysis, with ambiguous place names read as the indexed documents' places."""
        return self.analyzer.analyze(
            question, follow_up=follow_up, known_place=lambda place: self._is_indexed_place(index, place)
        )

    def _place_at_start(self, text: str) -> str | None:
        """The name of the place ``text`` starts with (黑龙江 in 黑龙江高技能人才), if any."""
        mentions = self.analyzer.gazetteer.find(text)
        return mentions[0].surface if mentions and mentions[0].start == 0 else None

    def _is_indexed_place(self, index: DocumentIndex, place: Place) -> bool:
        """Whether some indexed document is about ``place`` or a place inside it: how an English
        name that reads alike for two counties (Pujiang) is resolved to the one the documents at
        hand are about. The documents' places are gathered once per index snapshot from the
        places recorded at index time (an index made before they were recorded computes each
        document's once per content: at 1M chunks that reads every record, a minute)."""
        if self._document_places is None or self._document_places[0] is not index:
            gazetteer = self.analyzer.gazetteer
            known = self._place_of
            current: dict[tuple[str, str], Place | None] = {}
            for doc_id in index.documents:
                entry = index.catalog(doc_id)
                key = (doc_id, entry.content_hash)
                if key in known:
                    current[key] = known[key]
                elif entry.place is not None:
                    current[key] = gazetteer.by_key(entry.place)
                else:
                    current[key] = gazetteer.document_place(index.document(doc_id))
            self._place_of = current
            self._document_places = (index, [p for p in current.values() if p is not None])
        gazetteer = self.analyzer.gazetteer
        if any(gazetteer.encloses(place, home) for home in self._document_places[1]):
            return True
        # else a place the documents name in full (通城县 in a province's list of villages): the
        # index's vocabulary holds the words of every chunk, so this is one lookup per form
        return any(
            index.vocabulary.get(form) is not None
            for form in place.surface_forms
            if len(form) >= 3 and CJK.search(form) and form.endswith(ADMIN_ENDINGS)
        )

    def _answer_request(
        self, question: str, analysis: QuestionAnalysis, index: DocumentIndex, top_k: int | None,
        mode: RetrievalMode | None, original_question: str = "",
    ) -> AnswerRequest:
        """Retrieve for ``question`` in one snapshot and wrap it for a backend."""
        result = self.retrieve(question, top_k, mode, index=index, analysis=analysis)
        return AnswerRequest(
            question=question,
            passages=result.passages,
            original_question=original_question,
            language=result.language,
            index=index,
            query_vector=result.query_vector,
            analysis=analysis,
        )

    def _request(
        self, question: str, history: Sequence[ChatTurn], top_k: int | None,
        mode: RetrievalMode | None,
    ) -> AnswerRequest:
        _, resolved, analysis, follow_up = self._prepare(question, history)
        return self._answer_request(resolved, analysis, self._index, top_k, mode, follow_up)

    def ask(
        self,
        question: str,
        history: Sequence[ChatTurn] = (),
        top_k: int | None = None,
        backend: str | None = None,
        mode: RetrievalMode | None = None,
    ) -> Answer:
        """Answer one question (with optional conversation history) and time it."""
        started = time.perf_counter()
        chosen = self.backends.get(backend)
        text, resolved, analysis, follow_up = self._prepare(question, history)
        original = text if resolved != text else ""
        index = self._index
        composite = split_composite(resolved, self._place_at_start)
        if composite is not None:
            result = self._answer_composite(composite, original or resolved, analysis.language, index, top_k, mode)
            result = self._english_facing(result, analysis)
        else:
            result = chosen.answer(self._answer_request(resolved, analysis, index, top_k, mode, follow_up))
        return self._finish(self._english_facing(result, analysis), original, resolved, started, index)

    def _answer_composite(
        self, composite: CompositeQuestion, question: str, language: str, index: DocumentIndex,
        top_k: int | None, mode: RetrievalMode | None,
    ) -> Answer:
        """A comparison or total: each part is answered by the extractive backend (typed facts,
        entity checks, refusals) and the parts' values are compared or added in code. The whole
        question is never retrieved for: only its parts are."""
        extractive = self.backends.get("extractive")
        parts = [
            extractive.answer(
                replace(self._answer_request(part, self._analyze(part, index), index, top_k, mode), subject=item)
            )
            for part, item in zip(composite.parts, composite.items, strict=True)
        ]
        if language == "en":
            composite = replace(composite, items=tuple(self._with_chinese_name(item) for item in composite.items))
        return combine(composite, parts, question, lambda missing: refusal_text(language, missing))

    def _with_chinese_name(self, item: str) -> str:
        """An English comparison's item as the answer names it: a place with its Chinese name beside
        the English one (Hangjin Rear Banner (杭锦后旗)), which is how the documents and the
        citations name it; any other item as the question wrote it."""
        mentions = self.analyzer.gazetteer.find(item)
        if len(mentions) == 1:
            return f"{item} ({mentions[0].place.name})"
        return item

    def ask_stream(
        self,
        question: str,
        history: Sequence[ChatTurn] = (),
        top_k: int | None = None,
        backend: str | None = None,
    ) -> Iterator[StreamEvent]:
        """Stream an answer: citations, text deltas, then the final answer object."""
        started = time.perf_counter()
        chosen = self.backends.get(backend)
        text, resolved, analysis, follow_up = self._prepare(question, history)
        original = text if resolved != text else ""
        index = self._index
        composite = split_composite(resolved, self._place_at_start)
        if composite is not None or self._translated(analysis):
            if composite is not None:
                answer = self._answer_composite(composite, original or resolved, analysis.language, index, top_k, None)
            else:  # answered in Chinese, worded for the English reader: sent as one piece
                answer = chosen.answer(self._answer_request(resolved, analysis, index, top_k, None, follow_up))
            result = self._finish(self._english_facing(answer, analysis), original, resolved, started, index)
            yield StreamEvent(kind="citations", citations=result.citations)
            yield StreamEvent(kind="delta", delta=result.answer)
            yield StreamEvent(kind="answer", answer=result)
            return
        request = self._answer_request(resolved, analysis, index, top_k, None, follow_up)
        for event in chosen.stream(request):
            if event.kind == "answer" and event.answer is not None:
                yield StreamEvent(kind="answer", answer=self._finish(event.answer, original, resolved, started, index))
            else:
                yield event

    @staticmethod
    def _finish(
        result: Answer, original_question: str, resolved_question: str, started: float,
        index: DocumentIndex | None = None,
    ) -> Answer:
        """The answer with its latency, the question as typed beside the resolved one when a
        follow-up was rewritten, and each citation's pages and OCR flag from the cited chunk (so a
        citation of a scanned page says its text was recognised)."""
        update: dict[str, object] = {"latency_ms": round((time.perf_counter() - started) * 1000, 2)}
        if index is not None and result.citations:
            update["citations"] = [_with_pages(citation, index) for citation in result.citations]
        if original_question:
            update["question"] = original_question
            update["resolved_question"] = resolved_question
        return result.model_copy(update=update)

    # ----- documents -----
    def index_paths(
        self, paths: Sequence[Path], rebuild: bool = False, progress: bool = False, ray: str | None = None
    ) -> IndexReport:
        """Index files and folders; with ``rebuild`` start from an empty index. ``ray``: load, chunk
        and embed on the Ray at that address (``local``: a local Ray), see ``rag.ingest.ray_ingest``."""
        with self._write_lock:
            base = self.store.snapshot(self.indexer.empty_index()) if rebuild else self._index
            base = base.deferring(False)  # a long run merges as it goes: no thread could swap meanwhile
            if ray is None:
                # Saved along the way (not for a rebuild, which must not replace the index with part
                # of the new one): a run killed midway resumes from the last save.
                checkpoint = None if rebuild else self._commit
                new_index, report = self.indexer.update(base, paths, progress=progress, checkpoint=checkpoint)
            else:
                try:
                    from rag.ingest.ray_ingest import ray_update  # Ray is an optional extra
                except ImportError as error:
                    raise BackendUnavailableError(
                        f"rag index --ray needs the ray extra ({error.name} is missing): pip install 'rag[ray]'"
                    ) from None
                new_index, report = ray_update(self.indexer, base, paths, ray, progress)
            if rebuild and not new_index.documents:
                return report  # nothing readable: keep the last good index rather than empty it
            if report.changed or rebuild:
                self._commit(new_index)
            return report

    def add_documents(self, documents: list[Document], added_by: str = "") -> IndexReport:
        """Index documents already loaded (uploads) and save; ``added_by`` says who (a key id).

        The slow part, chunking and embedding, runs outside the write lock against the snapshot
        current when the call starts; only the commit (a new snapshot from the prepared entries,
        saved, then swapped in) holds the lock, and it re-checks the content hashes against the
        index current by then, so a concurrent write is never lost or undone.
        """
        prepared = self.indexer.prepare(self._index, documents)
        with self._write_lock:
            new_index, report = self.indexer.apply(self._index, documents, prepared, added_by=added_by)
            if report.changed:
                self._commit(new_index)
            return report

    def delete_documents(self, doc_ids: Sequence[str]) -> list[str]:
        """Remove documents by id; returns the ids that existed and were removed."""
        with self._write_lock:
            present = [d for d in doc_ids if d in self._index.documents]
            if present:
                self._commit(self._index.without_documents(present))
            return present

    def _commit(self, new_index: DocumentIndex) -> None:
        """Save, then switch readers to ``new_index`` (under the write lock); start a base merge
        in a thread when one falls due."""
        new_index = new_index.deferring(self.settings.merge_in_background)
        self.store.save(new_index)  # atomic on disk first ...
        self._index = new_index  # ... then readers switch to it
        if new_index.defer_merges and new_index.merge_due() and not self.merging():
            self._merge = threading.Thread(target=self._merge_in_background, args=(new_index,),
                                           name="index-merge", daemon=True)
            self._merge.start()

    def _merge_in_background(self, source: DocumentIndex) -> None:
        """Merge ``source`` into a new base while it and later snapshots serve; then, under the
        write lock, rebase the current snapshot on it and commit (saved atomically like any
        update: a crash before the manifest leaves the last good index). Again while uploads
        made meanwhile keep a merge due."""
        while True:
            try:
                started = time.perf_counter()
                base = source.merged()
                with self._write_lock:
                    rebased = self._index.rebased(source, base)
                    if rebased is None:
                        logger.warning("index merge dropped: the index changed under it")
                        return
                    self.store.save(rebased)
                    self._index = rebased
                logger.info("index merged in the background in %.1f s", time.perf_counter() - started)
            except Exception:
                logger.exception("index merge failed; the index keeps its parts and serves as before")
                return
            if not rebased.merge_due():
                return
            source = rebased

    def merging(self) -> bool:
        """Whether a background merge is running."""
        return self._merge is not None and self._merge.is_alive()

    def wait_for_merge(self, timeout: float | None = None) -> None:
        """Wait until a running background merge has finished (tests, shutdown)."""
        if self._merge is not None:
            self._merge.join(timeout)

    def documents(self) -> list[DocumentSummary]:
        """Every document, from the index's catalog (no document's record is read)."""
        index = self._index
        summaries = []
        for doc_id in index.documents:
            entry = index.catalog(doc_id)
            summaries.append(DocumentSummary(
                doc_id=doc_id,
                title=entry.title,
                chunks=index.chunk_count(doc_id),
                characters=entry.characters,
                content_hash=entry.content_hash,
                added_by=entry.added_by,
                added_at=entry.added_at,
            ))
        return summaries

    def info(self) -> IndexInfo:
        return self._index.info()

    def index_size_bytes(self) -> int:
        return self.store.size_bytes() if self.store.exists() else 0
