"""The tasks context's store."""
