"""External sources: tenant connections, sources, their synced records, and the sync itself."""
