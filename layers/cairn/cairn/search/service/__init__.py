"""The search context's use cases: project and cross-project search, compaction of new documents."""
