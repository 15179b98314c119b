"""The tasks context's service."""
