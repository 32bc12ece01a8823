"""Vectors and the index: the embedding model, the in-memory index and its on-disk store."""
