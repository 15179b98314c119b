"""BM25 scoring and the compact term encoding, pure."""
