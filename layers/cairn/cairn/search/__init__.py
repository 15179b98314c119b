"""The search context: BM25 documents written with each milestone or knowledge item, index segments, project and
cross-project queries.
"""
