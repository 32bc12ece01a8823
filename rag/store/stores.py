"""Which store holds the index: files under ``index_dir`` (FAISS + BM25 in memory) or Milvus.

One function chooses from the settings (``RAG_STORE``), so the engine, the CLI and the API open the
same store. pymilvus is an optional extra (``rag[milvus]``) and is imported only when Milvus is chosen.
"""

from __future__ import annotations

from rag.errors import BackendUnavailableError
from rag.settings import Settings
from rag.store.index_store import IndexStore
from rag.text.tokenizing import user_dictionary_entries


def open_store(settings: Settings) -> IndexStore:
    """The configured store (connecting to Milvus when ``RAG_STORE=milvus``)."""
    if settings.store != "milvus":
        return IndexStore(settings.index_path)
    try:
        from rag.store.milvus_store import MilvusStore
    except ImportError as error:
        raise BackendUnavailableError(
            f"RAG_STORE=milvus needs the milvus extra ({error.name} is missing): pip install 'rag[milvus]'"
        ) from None
    words = [word for word, _, _ in user_dictionary_entries(settings.domain_pack_dir)]
    return MilvusStore(settings.milvus_location, settings.milvus_token, settings.milvus_collection, words)
