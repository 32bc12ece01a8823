"""Finding passages: hybrid dense + BM25 retrieval and rank fusion."""
