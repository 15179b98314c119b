"""External sources: their configuration, records, sync state and the tenant connections (docs/sources.md)."""
