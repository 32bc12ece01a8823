"""From files to index: loading, cleaning, chunking and indexing documents."""
